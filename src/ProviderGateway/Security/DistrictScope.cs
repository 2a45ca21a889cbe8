namespace ProviderGateway.Security;

/// <summary>
/// The districts a client may see: KATO prefixes (<c>1952</c> is the Karasai district, <c>19</c> the Almaty region), or
/// everywhere. A 9-digit KATO code lies in the scope when it starts with one of its prefixes.
/// </summary>
public sealed class DistrictScope
{
    private readonly string[]? _prefixes;

    private DistrictScope(string[]? prefixes) => _prefixes = prefixes;

    /// <summary>The scope of a client that may see every district.</summary>
    public static DistrictScope Everywhere { get; } = new(null);

    /// <summary>True when the client is limited to some districts.</summary>
    public bool IsLimited => _prefixes is not null;

    /// <summary>The prefixes of a limited scope; empty for <see cref="Everywhere"/>.</summary>
    public IReadOnlyList<string> Prefixes => _prefixes ?? [];

    /// <summary>A scope limited to <paramref name="prefixes"/>.</summary>
    public static DistrictScope Of(IEnumerable<string> prefixes) => new([.. prefixes]);

    /// <summary>
    /// True when the unit <paramref name="katoCode"/> lies in the scope. Data without a KATO code is outside every limited
    /// scope: a district limit never lets through what it cannot place.
    /// </summary>
    public bool Contains(string? katoCode)
    {
        if (_prefixes is null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(katoCode))
        {
            return false;
        }

        foreach (var prefix in _prefixes)
        {
            if (Contracts.Identifiers.KatoCode.IsInArea(katoCode, prefix))
            {
                return true;
            }
        }

        return false;
    }
}
