namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// A KATO code: 9 digits <c>AA BB CC DDD</c> locating an administrative unit of Kazakhstan (region,
/// district or city, rural district, settlement). Zeros fill the levels below the unit named, so
/// 195200000 is Karasai district of Almaty region and 190000000 the whole region.
/// </summary>
public static class KatoCode
{
    private static readonly int[] LevelEnds = [2, 4, 6, 9];

    /// <summary>Returns why <paramref name="value"/> is not a KATO code, or <c>null</c> when it is.</summary>
    public static IdentifierProblem? Validate(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new("KATO_CODE_MISSING", "The KATO code is required.");
        }

        if (!CheckDigit.IsAsciiDigits(value) || value.Length != 9)
        {
            return new("KATO_CODE_MALFORMED", "A KATO code is exactly 9 digits, for example 195200000.");
        }

        return value.StartsWith("00", StringComparison.Ordinal)
            ? new("KATO_CODE_MALFORMED", "A KATO code starts with a non-zero region code.")
            : null;
    }

    /// <summary>True when <paramref name="value"/> is a KATO code.</summary>
    public static bool IsValid(string? value) => Validate(value) is null;

    /// <summary>
    /// The significant prefix of a valid code: its levels up to the last non-zero one
    /// (331000000 gives "3310", 190000000 gives "19"). Every unit inside the area shares it.
    /// </summary>
    public static string AreaPrefix(string code)
    {
        if (Validate(code) is { } problem)
        {
            throw new ArgumentException(problem.Description, nameof(code));
        }

        var end = LevelEnds[0];
        var start = 0;
        foreach (var levelEnd in LevelEnds)
        {
            if (code.AsSpan(start, levelEnd - start).ContainsAnyExcept('0'))
            {
                end = levelEnd;
            }

            start = levelEnd;
        }

        return code[..end];
    }

    /// <summary>
    /// The area prefix of a district limit as operators write it: a 9-digit KATO code stands for its area
    /// (<c>195200000</c> is <c>1952</c>, the whole Karasai district); a shorter prefix (<c>1952</c>, <c>19</c>) stands as it is.
    /// </summary>
    public static string AreaOf(string codeOrPrefix) => IsValid(codeOrPrefix) ? AreaPrefix(codeOrPrefix) : codeOrPrefix;

    /// <summary>True when the unit <paramref name="code"/> lies inside the area <paramref name="area"/> (or is it).</summary>
    public static bool IsWithin(string code, string area) => IsInArea(code, AreaPrefix(area));

    /// <summary>
    /// True when the unit <paramref name="code"/> lies inside the area whose prefix is <paramref name="areaPrefix"/>
    /// (<see cref="AreaPrefix"/> or <see cref="AreaOf"/>, computed once by the caller).
    /// </summary>
    public static bool IsInArea(string code, string areaPrefix) => code.StartsWith(areaPrefix, StringComparison.Ordinal);

    /// <summary>True when two areas, given by their prefixes, share any unit: one of them lies inside the other.</summary>
    public static bool AreasOverlap(string areaPrefix, string otherAreaPrefix) =>
        areaPrefix.StartsWith(otherAreaPrefix, StringComparison.Ordinal) || otherAreaPrefix.StartsWith(areaPrefix, StringComparison.Ordinal);
}
