namespace ProviderGateway.DemoProviders;

/// <summary>
/// A running demo provider described as one entry of the gateway's <c>Gateway:Providers</c>
/// configuration; serialised with camelCase names it can be pasted into <c>appsettings.json</c>.
/// </summary>
/// <param name="Id">The provider id, for example "alatau-power".</param>
/// <param name="DisplayName">The name shown to desks.</param>
/// <param name="Domain">"utilities", "land_registry" or "social_services".</param>
/// <param name="Endpoint">The h2c address, for example "http://127.0.0.1:6001".</param>
/// <param name="KatoCodes">The districts served; empty for the whole country.</param>
/// <param name="Deadline">How long the gateway should wait for the provider on each call.</param>
public sealed record DemoProviderEndpoint(
    string Id, string DisplayName, string Domain, string Endpoint, IReadOnlyList<string> KatoCodes, TimeSpan Deadline)
{
    /// <summary>The deadline suggested for demo providers: 2 seconds.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Describes a running server.</summary>
    public static DemoProviderEndpoint For(DemoProviderServer server, TimeSpan? deadline = null) => new(
        server.Provider.Id,
        server.Provider.DisplayName,
        server.Provider.Domain,
        server.Address.GetLeftPart(UriPartial.Authority),
        server.Provider.KatoCodes,
        deadline ?? DefaultDeadline);
}
