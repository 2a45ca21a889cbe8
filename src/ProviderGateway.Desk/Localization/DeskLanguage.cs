using System.Globalization;
using ProviderGateway.Contracts.Localization;

namespace ProviderGateway.Desk.Localization;

/// <summary>
/// The console's languages: Kazakh, Russian and English, those of the gateway's error messages. The language is set
/// before the console starts (Program.cs) so that Blazor loads that language's resources; switching it stores the new one
/// and reloads the page (the session survives in session storage; the citizen on screen is searched again, since an IIN
/// is never stored in the browser).
/// </summary>
public static class DeskLanguage
{
    /// <summary>The languages offered, in the order of the switch.</summary>
    public static IReadOnlyList<string> All => ErrorMessages.Languages;

    /// <summary>The language when neither the operator nor the browser names one of ours.</summary>
    public const string Default = "ru";

    /// <summary>The language now in use (kk, ru or en).</summary>
    public static string Current => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var name && ErrorMessages.IsLanguage(name) ? name : Default;

    /// <summary>The culture a language formats numbers and dates in: Kazakhstan's for kk and ru.</summary>
    public static CultureInfo CultureOf(string language) => language switch
    {
        "kk" => CultureInfo.GetCultureInfo("kk-KZ"),
        "ru" => CultureInfo.GetCultureInfo("ru-KZ"),
        _ => CultureInfo.GetCultureInfo("en-US"),
    };

    /// <summary>Makes <paramref name="language"/> the process's culture (before the console's components are made).</summary>
    public static void Use(string language)
    {
        var culture = CultureOf(language);
        CultureInfo.DefaultThreadCurrentCulture = culture;
        CultureInfo.DefaultThreadCurrentUICulture = culture;
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }
}
