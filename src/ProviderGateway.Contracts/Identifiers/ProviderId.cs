using System.Text.RegularExpressions;

namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// A provider's id in the gateway: 1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit (for example
/// <c>alatau-power</c>). Operators give it in configuration; desks pass it back as <c>provider_id</c>. One rule, used by
/// the gateway's configuration and its request validation alike.
/// </summary>
public static partial class ProviderId
{
    /// <summary>Returns why <paramref name="value"/> is not a provider id, or <c>null</c> when it is.</summary>
    public static IdentifierProblem? Validate(string? value) =>
        value is not null && Pattern().IsMatch(value)
            ? null
            : new("PROVIDER_ID_MALFORMED", "A provider id is 1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit.");

    /// <summary>True when <paramref name="value"/> is a provider id.</summary>
    public static bool IsValid(string? value) => Validate(value) is null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex Pattern();
}
