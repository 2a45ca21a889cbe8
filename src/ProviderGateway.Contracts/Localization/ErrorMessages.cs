using System.Globalization;
using System.Resources;
using System.Text;

namespace ProviderGateway.Contracts.Localization;

/// <summary>
/// The people's message of each error reason, in the desk's three languages: Kazakh (<c>kk</c>), Russian (<c>ru</c>)
/// and English (<c>en</c>), from the resources <c>ErrorMessages.resx</c> (English), <c>ErrorMessages.ru.resx</c> and
/// <c>ErrorMessages.kk.resx</c>. Keys are the stable reasons of the contracts: a <c>google.rpc.ErrorInfo</c>'s
/// <c>reason</c> (<c>PROVIDER_UNAVAILABLE</c>) and a <c>google.rpc.BadRequest</c> field violation's
/// (<c>IIN_CHECK_DIGIT_MISMATCH</c>); a key <c>REASON.DETAIL</c> is more precise (<c>CONSENT_REQUIRED.REVOKED</c>).
/// A message may name values in braces (<c>{provider}</c>), filled from the ErrorInfo's metadata. The gateway puts
/// them in a <c>google.rpc.LocalizedMessage</c>; a desk can show the same text for a mistake it catches itself.
/// </summary>
public static class ErrorMessages
{
    /// <summary>The languages there are messages in, as BCP 47 tags.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["kk", "ru", "en"];

    private static readonly ResourceManager Resources = new("ProviderGateway.Contracts.Localization.ErrorMessages", typeof(ErrorMessages).Assembly);

    // Made on first use, not in a static initializer: a process with InvariantGlobalization and PredefinedCulturesOnly
    // (the default there) cannot name kk, and gets a clear error where it asks for a message, not a TypeInitializationException.
    private static readonly Lazy<Dictionary<string, CultureInfo>> LazyCultures = new(() =>
    {
        try
        {
            return Languages.ToDictionary(l => l, l => CultureInfo.GetCultureInfo(l), StringComparer.Ordinal);
        }
        catch (CultureNotFoundException e)
        {
            throw new InvalidOperationException(
                "The error messages' languages (kk, ru, en) need culture names: with <InvariantGlobalization>true</InvariantGlobalization>, set <PredefinedCulturesOnly>false</PredefinedCulturesOnly>.", e);
        }
    });

    private static Dictionary<string, CultureInfo> Cultures => LazyCultures.Value;

    /// <summary>Whether <paramref name="language"/> is one of <see cref="Languages"/>.</summary>
    public static bool IsLanguage(string? language) => language is not null && Languages.Contains(language, StringComparer.Ordinal);

    /// <summary>
    /// The message of <paramref name="reason"/> (or of <c>reason.detail</c> when that exists) in
    /// <paramref name="language"/>, its braces filled from <paramref name="values"/>; <c>null</c> when there is none.
    /// </summary>
    public static string? Find(string reason, string language, string? detail = null, IReadOnlyDictionary<string, string>? values = null)
    {
        if (reason.Length == 0 || !Cultures.TryGetValue(language, out var culture))
        {
            return null;
        }

        var text = (detail is { Length: > 0 } ? Resources.GetString($"{reason}.{detail}", culture) : null) ?? Resources.GetString(reason, culture);
        return text is null ? null : Fill(text, values);
    }

    /// <summary>
    /// The language an <c>Accept-Language</c> value asks for (<c>kk-KZ, ru;q=0.8</c>): the supported one with the
    /// highest weight (the first of equal weights), by its primary tag; <paramref name="fallback"/> when it names none.
    /// </summary>
    public static string Negotiate(string? acceptLanguage, string fallback)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return fallback;
        }

        string? best = null;
        var bestWeight = 0.0;
        foreach (var part in acceptLanguage.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var primary = pieces[0].Split('-')[0].ToLowerInvariant();
            var weight = 1.0;
            foreach (var parameter in pieces.Skip(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parameter.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out weight))
                {
                    weight = 0;
                }
            }

            if (weight > bestWeight && IsLanguage(primary))
            {
                (best, bestWeight) = (primary, weight);
            }
        }

        return best ?? fallback;
    }

    // "{name}" replaced by values[name]; a name without a value is left out, with its braces.
    private static string Fill(string text, IReadOnlyDictionary<string, string>? values)
    {
        if (!text.Contains('{', StringComparison.Ordinal))
        {
            return text;
        }

        var filled = new StringBuilder(text.Length + 32);
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf('{', at);
            var close = open < 0 ? -1 : text.IndexOf('}', open);
            if (close < 0)
            {
                filled.Append(text, at, text.Length - at);
                break;
            }

            filled.Append(text, at, open - at);
            if (values is not null && values.TryGetValue(text[(open + 1)..close], out var value))
            {
                filled.Append(value);
            }

            at = close + 1;
        }

        return filled.ToString();
    }
}
