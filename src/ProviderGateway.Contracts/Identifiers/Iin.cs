namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// The individual identification number (IIN) of Kazakhstan: 12 digits <c>YYMMDD C NNNN K</c>.
/// <c>C</c> gives the century and sex (1/2: 1800s, 3/4: 1900s, 5/6: 2000s; odd is male),
/// <c>K</c> is the check digit (<see cref="CheckDigit"/>), and the birth date must be a real date.
/// </summary>
public static class Iin
{
    /// <summary>Returns why <paramref name="value"/> is not a valid IIN, or <c>null</c> when it is.</summary>
    public static IdentifierProblem? Validate(string? value)
    {
        var problem = CheckDigit.CheckTwelveDigits(value, "IIN");
        if (problem is not null && problem.Reason is "IIN_MISSING" or "IIN_NOT_DIGITS" or "IIN_WRONG_LENGTH")
        {
            return problem;
        }

        // Date and century before the check digit: they say more to the person who typed it.
        var century = CenturyOf(value![6]);
        if (century is null)
        {
            return new("IIN_INVALID_CENTURY_DIGIT", "The IIN's 7th digit (century and sex) must be 1 to 6.");
        }

        if (TryGetBirthDate(value, century.Value) is null)
        {
            return new("IIN_INVALID_BIRTH_DATE", "The IIN's first 6 digits (YYMMDD) are not a real date of birth.");
        }

        return problem;
    }

    /// <summary>True when <paramref name="value"/> is a valid IIN.</summary>
    public static bool IsValid(string? value) => Validate(value) is null;

    /// <summary>The date of birth encoded in a valid IIN.</summary>
    /// <exception cref="ArgumentException">When <paramref name="iin"/> is not valid.</exception>
    public static DateOnly GetBirthDate(string iin)
    {
        if (Validate(iin) is { } problem)
        {
            throw new ArgumentException(problem.Description, nameof(iin));
        }

        return TryGetBirthDate(iin, CenturyOf(iin[6])!.Value)!.Value;
    }

    /// <summary>True when a valid IIN belongs to a man (odd century digit).</summary>
    public static bool IsMale(string iin) => (iin[6] - '0') % 2 == 1;

    /// <summary>
    /// Builds a valid IIN from a birth date, sex and 4-digit serial number, or returns <c>null</c> when
    /// that serial admits no check digit (such numbers are never issued). For demo data and tests.
    /// </summary>
    public static string? Create(DateOnly birthDate, bool male, int serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 9999);
        var centuryDigit = (birthDate.Year / 100) switch
        {
            18 => 1,
            19 => 3,
            20 => 5,
            _ => throw new ArgumentOutOfRangeException(nameof(birthDate), "IINs encode births in 1800-2099 only."),
        } + (male ? 0 : 1);
        var first11 = $"{birthDate.Year % 100:D2}{birthDate.Month:D2}{birthDate.Day:D2}{centuryDigit}{serial:D4}";
        var check = CheckDigit.Compute(first11);
        return check is null ? null : first11 + check.Value;
    }

    private static int? CenturyOf(char digit) => digit switch
    {
        '1' or '2' => 1800,
        '3' or '4' => 1900,
        '5' or '6' => 2000,
        _ => null,
    };

    private static DateOnly? TryGetBirthDate(string value, int century)
    {
        var year = century + ((value[0] - '0') * 10) + (value[1] - '0');
        var month = ((value[2] - '0') * 10) + (value[3] - '0');
        var day = ((value[4] - '0') * 10) + (value[5] - '0');
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return null;
        }

        return new DateOnly(year, month, day);
    }
}
