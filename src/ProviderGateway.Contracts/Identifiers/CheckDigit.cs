namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// The check digit shared by IIN and BIN: the sum of the first 11 digits times the weights 1..11,
/// modulo 11; when that is 10, the weights 3,4,5,6,7,8,9,10,11,1,2 are used instead; when that is
/// 10 again, no number with these 11 digits is ever issued.
/// </summary>
public static class CheckDigit
{
    private static ReadOnlySpan<byte> SecondWeights => [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

    /// <summary>
    /// Computes the 12th digit for the given first 11 ASCII digits, or returns <c>null</c> when no
    /// number starting with these digits is ever issued.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="first11"/> is not 11 ASCII digits.</exception>
    public static int? Compute(ReadOnlySpan<char> first11)
    {
        if (first11.Length != 11 || !IsAsciiDigits(first11))
        {
            throw new ArgumentException("Expected exactly 11 ASCII digits.", nameof(first11));
        }

        var sum = 0;
        for (var i = 0; i < 11; i++)
        {
            sum += (first11[i] - '0') * (i + 1);
        }

        var digit = sum % 11;
        if (digit != 10)
        {
            return digit;
        }

        sum = 0;
        for (var i = 0; i < 11; i++)
        {
            sum += (first11[i] - '0') * SecondWeights[i];
        }

        digit = sum % 11;
        return digit == 10 ? null : digit;
    }

    internal static bool IsAsciiDigits(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks length, digits and the check digit of a 12-digit IIN or BIN.</summary>
    internal static IdentifierProblem? CheckTwelveDigits(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new($"{name}_MISSING", $"The {name} is required.");
        }

        if (!IsAsciiDigits(value))
        {
            return new($"{name}_NOT_DIGITS", $"The {name} must contain only the digits 0-9.");
        }

        if (value.Length != 12)
        {
            return new($"{name}_WRONG_LENGTH", $"The {name} must be exactly 12 digits; {value.Length} were given.");
        }

        var expected = Compute(value.AsSpan(0, 11));
        if (expected is null)
        {
            return new($"{name}_NEVER_ISSUED", $"The {name} cannot exist: its first 11 digits admit no check digit.");
        }

        return value[11] - '0' == expected
            ? null
            : new($"{name}_CHECK_DIGIT_MISMATCH", $"The {name} check digit (the 12th digit) is wrong.");
    }
}
