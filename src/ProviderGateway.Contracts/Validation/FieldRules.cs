using System.Globalization;
using System.Text.RegularExpressions;
using ProviderGateway.Contracts.Paging;

namespace ProviderGateway.Contracts.Validation;

/// <summary>
/// The rule for each kind of request field, as the contracts' comments state them, shared by the
/// gateway and provider implementations so both reject the same input with the same reasons.
/// Descriptions never repeat the offending value: it may be personal data.
/// </summary>
public static partial class FieldRules
{
    /// <summary>The default bound of a provider's page token (the gateway's own tokens, which wrap several, are longer).</summary>
    public const int DefaultMaximumPageTokenLength = 1024;

    /// <summary>The default cadastral number pattern: region, district, quarter, parcel.</summary>
    public const string DefaultCadastralNumberPattern = @"^\d{2}-\d{3}-\d{3}-\d{3,4}$";

    /// <summary>A required IIN.</summary>
    public static void Iin(this FieldViolations violations, string field, string value) =>
        violations.Add(field, Identifiers.Iin.Validate(value));

    /// <summary>A required KATO code.</summary>
    public static void KatoCode(this FieldViolations violations, string field, string value) =>
        violations.Add(field, Identifiers.KatoCode.Validate(value));

    /// <summary>An optional KATO code: empty, or valid.</summary>
    public static void OptionalKatoCode(this FieldViolations violations, string field, string value)
    {
        if (value.Length > 0)
        {
            violations.KatoCode(field, value);
        }
    }

    /// <summary>A required personal account number: 1 to 32 of A-Z, a-z, 0-9 and '-'.</summary>
    public static void AccountNumber(this FieldViolations violations, string field, string value) =>
        violations.Token(field, value, 32, "a personal account number", "ACCOUNT_NUMBER");

    /// <summary>A required meter id: 1 to 32 of A-Z, a-z, 0-9 and '-'.</summary>
    public static void MeterId(this FieldViolations violations, string field, string value) =>
        violations.Token(field, value, 32, "a meter id", "METER_ID");

    /// <summary>A required identifier issued by a provider (orders, applications, benefits): 1 to 64 of A-Z, a-z, 0-9 and '-'.</summary>
    public static void ResourceId(this FieldViolations violations, string field, string value, string what) =>
        violations.Token(field, value, 64, what, field.ToUpperInvariant());

    /// <summary>A required cadastral number that <paramref name="pattern"/> matches as a whole.</summary>
    public static void CadastralNumber(this FieldViolations violations, string field, string value, Regex pattern)
    {
        if (value.Length == 0)
        {
            violations.Add(field, "The cadastral number is required.", "CADASTRAL_NUMBER_MISSING");
        }
        else if (value.Length > 64 || !MatchesWhole(pattern, value))
        {
            violations.Add(field, "The cadastral number does not have the expected form (by default NN-NNN-NNN-NNN, digits).", "CADASTRAL_NUMBER_MALFORMED");
        }
    }

    /// <summary>A required idempotency key: a UUID written 8-4-4-4-12.</summary>
    public static void RequestId(this FieldViolations violations, string field, string value)
    {
        if (value.Length == 0)
        {
            violations.Add(field, "request_id (the idempotency key) is required on every write.", "REQUEST_ID_MISSING");
        }
        else if (!Guid.TryParseExact(value, "D", out _))
        {
            violations.Add(field, "request_id must be a UUID written 8-4-4-4-12, such as 7f1c2a9e-5b3d-4c1e-9a8f-0d6e4b2c1a3f.", "REQUEST_ID_MALFORMED");
        }
    }

    /// <summary><c>page_size</c> not negative; <c>page_token</c> bounded and free of control characters.</summary>
    public static void Paging(this FieldViolations violations, int pageSize, string pageToken, int maximumTokenLength = DefaultMaximumPageTokenLength)
    {
        if (pageSize < 0)
        {
            violations.Add("page_size", $"page_size must be zero (the default) or positive; at most {PageSize.Maximum} items are returned.", "PAGE_SIZE_NEGATIVE");
        }

        if (pageToken.Length > maximumTokenLength || pageToken.Any(char.IsControl))
        {
            violations.Add("page_token", "page_token must be a next_page_token returned by the previous page.", "PAGE_TOKEN_INVALID");
        }
    }

    /// <summary>An enum value this version of the contract defines; and not the zero value when required.</summary>
    public static void DefinedEnum<TEnum>(this FieldViolations violations, string field, TEnum value, bool required)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            violations.Add(field, $"{field} has a value this version of the contract does not define.", "ENUM_VALUE_UNKNOWN");
        }
        else if (required && Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0)
        {
            violations.Add(field, $"{field} is required.", "ENUM_VALUE_MISSING");
        }
    }

    /// <summary>A required enum value (not the zero value, and defined).</summary>
    public static void RequiredEnum<TEnum>(this FieldViolations violations, string field, TEnum value)
        where TEnum : struct, Enum =>
        violations.DefinedEnum(field, value, required: true);

    /// <summary>A required calendar date that is real and not after <paramref name="today"/>.</summary>
    /// <returns>The date, or <c>null</c> when it broke a rule.</returns>
    public static DateOnly? PastOrTodayDate(this FieldViolations violations, string field, Google.Type.Date? date, DateOnly today)
    {
        if (date is null)
        {
            violations.Add(field, $"{field} is required.", "DATE_MISSING");
            return null;
        }

        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            violations.Add(field, $"{field} is not a real calendar date (year, month and day are all required).", "DATE_INVALID");
            return null;
        }

        var day = new DateOnly(date.Year, date.Month, date.Day);
        if (day > today)
        {
            violations.Add(field, $"{field} must not be in the future.", "DATE_IN_FUTURE");
            return null;
        }

        return day;
    }

    /// <summary>A number that must be zero or positive.</summary>
    public static void NotNegative(this FieldViolations violations, string field, long value)
    {
        if (value < 0)
        {
            violations.Add(field, $"{field} must be zero or positive.", "VALUE_NEGATIVE");
        }
    }

    // .NET's '$' also matches before a final newline: the whole value must match, not a prefix of it. The first match
    // only, as a ValueMatch (Regex.Match made a Match object on every validated request).
    private static bool MatchesWhole(Regex pattern, string value)
    {
        foreach (var match in pattern.EnumerateMatches(value))
        {
            return match.Index == 0 && match.Length == value.Length;
        }

        return false;
    }

    private static void Token(this FieldViolations violations, string field, string value, int maximum, string what, string reasonPrefix)
    {
        if (value.Length == 0)
        {
            violations.Add(field, $"{field} is required.", $"{reasonPrefix}_MISSING");
        }
        else if (value.Length > maximum || !MatchesWhole(TokenPattern(), value))
        {
            violations.Add(field, $"{field} must be {what}: 1 to {maximum} characters of A-Z, a-z, 0-9 and '-'.", $"{reasonPrefix}_MALFORMED");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex TokenPattern();
}
