using System.Globalization;
using System.Resources;
using ProviderGateway.Contracts.Localization;

namespace ProviderGateway.Desk.Localization;

/// <summary>
/// Every text the console shows, from <c>Resources/DeskText.resx</c> (English), <c>.ru.resx</c> and <c>.kk.resx</c>, in the
/// current language; the gateway's error reasons from the contracts' <see cref="ErrorMessages"/>. A key missing from
/// the resources shows as the key itself in brackets (a test finds those), never as text of another language.
/// </summary>
public sealed class DeskText
{
    private static readonly ResourceManager Resources = new("ProviderGateway.Desk.Resources.DeskText", typeof(DeskText).Assembly);

    /// <summary>The text of <paramref name="key"/>.</summary>
    public string this[string key] => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? $"[{key}]";

    /// <summary>The text of <paramref name="key"/> with its <c>{0}</c>, <c>{1}</c>… filled.</summary>
    public string Format(string key, params object[] values) => string.Format(CultureInfo.CurrentCulture, this[key], values);

    /// <summary>The text of an enum value: key <c>Enum.{VALUE_NAME}</c> (the proto name).</summary>
    public string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        this[$"Enum.{ProtoName(value)}"];

    /// <summary>The message of a gateway error reason (or a field violation's reason) in the current language.</summary>
    public string? Reason(string reason, IReadOnlyDictionary<string, string>? values = null) =>
        ErrorMessages.Find(reason, DeskLanguage.Current, values: values);

    /// <summary>The proto name of a generated enum value (<c>FRESHNESS_LIVE</c>), as its OriginalName attribute gives it.</summary>
    private static string ProtoName<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var name = value.ToString();
        var field = typeof(TEnum).GetField(name);
        var original = field?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false);
        return original is { Length: > 0 } ? ((Google.Protobuf.Reflection.OriginalNameAttribute)original[0]).Name : name;
    }
}
