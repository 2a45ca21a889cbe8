namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// The business identification number (BIN) of Kazakhstan: 12 digits <c>YYMM T A NNNNN K</c>.
/// <c>YYMM</c> is the registration year and month, <c>T</c> the entity type (4 resident legal entity,
/// 5 non-resident, 6 individual entrepreneur in joint venture), <c>A</c> the unit (0 head office,
/// 1 branch, 2 representative office, 3 peasant farm), <c>K</c> the check digit (<see cref="CheckDigit"/>).
/// </summary>
public static class Bin
{
    /// <summary>Returns why <paramref name="value"/> is not a valid BIN, or <c>null</c> when it is.</summary>
    public static IdentifierProblem? Validate(string? value)
    {
        var problem = CheckDigit.CheckTwelveDigits(value, "BIN");
        if (problem is not null && problem.Reason is "BIN_MISSING" or "BIN_NOT_DIGITS" or "BIN_WRONG_LENGTH")
        {
            return problem;
        }

        var month = ((value![2] - '0') * 10) + (value[3] - '0');
        if (month is < 1 or > 12)
        {
            return new("BIN_INVALID_REGISTRATION_MONTH", "The BIN's 3rd and 4th digits (registration month) must be 01 to 12.");
        }

        if (value[4] is not ('4' or '5' or '6'))
        {
            return new("BIN_INVALID_ENTITY_TYPE", "The BIN's 5th digit (entity type) must be 4, 5 or 6.");
        }

        if (value[5] is not ('0' or '1' or '2' or '3'))
        {
            return new("BIN_INVALID_UNIT_TYPE", "The BIN's 6th digit (head office, branch, representative office, farm) must be 0 to 3.");
        }

        return problem;
    }

    /// <summary>True when <paramref name="value"/> is a valid BIN.</summary>
    public static bool IsValid(string? value) => Validate(value) is null;
}
