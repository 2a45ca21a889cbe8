using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Assertions;

/// <summary>
/// Collects what is wrong in the data a provider returned, by field path (for example
/// <c>accounts[2].address.kato_code</c>), then fails once with all of it. Personal identifiers are
/// judged but never quoted.
/// </summary>
internal sealed class DataProblems
{
    private static readonly DateTime Earliest = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Latest = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly List<string> _problems = [];

    /// <summary>Records a problem at <paramref name="path"/>.</summary>
    public void Add(string path, string problem) => _problems.Add($"{path}: {problem}");

    /// <summary>A string that must not be empty.</summary>
    public void Required(string path, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(path, "is empty; it is always set");
        }
    }

    /// <summary>An amount in tiyn with currency KZT; negative only where <paramref name="mayBeNegative"/>.</summary>
    public void Money(string path, Money? money, bool mayBeNegative = false)
    {
        if (money is null)
        {
            Add(path, "is not set");
            return;
        }

        if (money.CurrencyCode != "KZT")
        {
            Add(path + ".currency_code", $"is '{money.CurrencyCode}'; amounts are in tiyn with currency_code KZT");
        }

        if (!mayBeNegative && money.MinorUnits < 0)
        {
            Add(path + ".minor_units", $"is negative ({money.MinorUnits})");
        }
    }

    /// <summary>An optional amount: when set, as <see cref="Money(string, Money?, bool)"/>.</summary>
    public void OptionalMoney(string path, Money? money)
    {
        if (money is not null)
        {
            Money(path, money);
        }
    }

    /// <summary>A set timestamp, between 1900 and 2100.</summary>
    public void Timestamp(string path, Timestamp? timestamp)
    {
        if (timestamp is null)
        {
            Add(path, "is not set");
        }
        else if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds < -62_135_596_800)
        {
            Add(path, "is not a valid google.protobuf.Timestamp");
        }
        else if (timestamp.ToDateTime() is var t && (t < Earliest || t >= Latest))
        {
            Add(path, $"is {t:O}, outside 1900-2100");
        }
    }

    /// <summary>A calendar date: required, or when set (<paramref name="required"/> false) a complete real date.</summary>
    public void Date(string path, Google.Type.Date? date, bool required = true)
    {
        if (date is null)
        {
            if (required)
            {
                Add(path, "is not set");
            }

            return;
        }

        if (date.Year is < 1900 or > 2100 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > System.DateTime.DaysInMonth(Math.Clamp(date.Year, 1, 9999), Math.Clamp(date.Month, 1, 12)))
        {
            Add(path, $"is {date.Year:D4}-{date.Month:D2}-{date.Day:D2}, not a complete calendar date");
        }
    }

    /// <summary>A date range with a start, and an end not before it.</summary>
    public void DateRange(string path, DateRange? range)
    {
        if (range is null)
        {
            Add(path, "is not set");
            return;
        }

        Date(path + ".start_date", range.StartDate);
        Date(path + ".end_date", range.EndDate, required: false);
        if (range.StartDate is { } s && range.EndDate is { } e
            && (e.Year, e.Month, e.Day).CompareTo((s.Year, s.Month, s.Day)) < 0)
        {
            Add(path, "ends before it starts");
        }
    }

    /// <summary>An enum value the contract defines, not its zero (unspecified) value: for a field the contract says is always set.</summary>
    public void Enum<TEnum>(string path, TEnum value)
        where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            Add(path, $"is {Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)}, not a value this contract defines");
        }
        else if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            Add(path, "is the UNSPECIFIED (zero) value; it is always set");
        }
    }

    /// <summary>
    /// An enum value the contract defines, its zero (unspecified) value included: for a field the contract marks optional,
    /// where UNSPECIFIED means "not set, or unknown to the provider".
    /// </summary>
    public void OptionalEnum<TEnum>(string path, TEnum value)
        where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            Add(path, $"is {Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)}, not a value this contract defines");
        }
    }

    /// <summary>A 9-digit KATO code.</summary>
    public void Kato(string path, string code)
    {
        if (KatoCode.Validate(code) is { } problem)
        {
            Add(path, $"'{code}' is not a KATO code ({problem.Description.TrimEnd('.')})");
        }
    }

    /// <summary>An address: KATO code required, the rest free text.</summary>
    public void Address(string path, Address? address)
    {
        if (address is null)
        {
            Add(path, "is not set");
            return;
        }

        Kato(path + ".kato_code", address.KatoCode);
    }

    /// <summary>A cadastral number matching <paramref name="pattern"/>.</summary>
    public void Cadastral(string path, string value, Regex pattern)
    {
        var match = pattern.Match(value);
        if (!match.Success || match.Index != 0 || match.Length != value.Length)
        {
            Add(path, $"'{value}' does not have the cadastral number form ({pattern})");
        }
    }

    /// <summary>A valid IIN (the value is never quoted: it is personal data).</summary>
    public void Iin(string path, string value)
    {
        if (Contracts.Identifiers.Iin.Validate(value) is { } problem)
        {
            Add(path, $"is not a valid IIN ({problem.Description.TrimEnd('.')})");
        }
    }

    /// <summary>Fails with every problem recorded (the first 12), prefixed by <paramref name="what"/>.</summary>
    public void ThrowIfAny(string what)
    {
        if (_problems.Count == 0)
        {
            return;
        }

        var shown = _problems.Take(12).ToList();
        var more = _problems.Count > shown.Count ? $"; and {_problems.Count - shown.Count} more" : "";
        throw new ConformanceFailure($"{what}: {string.Join("; ", shown)}{more}.");
    }
}
