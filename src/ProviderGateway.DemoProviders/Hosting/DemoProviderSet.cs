using System.Globalization;
using ProviderGateway.DemoProviders.Consent;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// Several demo providers started and stopped together, by default every provider of the seed on its
/// own free loopback port. The gateway's embedded mode and the tests use it:
/// <code>
/// await using var providers = await DemoProviderSet.StartAsync();
/// var address = providers["alatau-power"].Address;
/// </code>
/// </summary>
public sealed class DemoProviderSet : IAsyncDisposable
{
    private readonly Dictionary<string, DemoProviderServer> _byId;

    private DemoProviderSet(DemoSeed seed, IReadOnlyList<DemoProviderServer> servers, DemoConsentAuthority? consentAuthority)
    {
        Seed = seed;
        Servers = servers;
        ConsentAuthority = consentAuthority;
        _byId = servers.ToDictionary(s => s.ProviderId, StringComparer.Ordinal);
    }

    /// <summary>The seed the servers answer from.</summary>
    public DemoSeed Seed { get; }

    /// <summary>The demo consent authority, when the set was asked to start one (<see cref="DemoProviderSetOptions.ConsentAuthority"/>).</summary>
    public DemoConsentAuthority? ConsentAuthority { get; }

    /// <summary>The running servers, in seed order.</summary>
    public IReadOnlyList<DemoProviderServer> Servers { get; }

    /// <summary>The server of the provider with this seed id.</summary>
    /// <exception cref="KeyNotFoundException">When the set has no such provider.</exception>
    public DemoProviderServer this[string providerId] => _byId.TryGetValue(providerId, out var server)
        ? server
        : throw new KeyNotFoundException($"The set runs no demo provider '{providerId}'. It runs: {string.Join(", ", _byId.Keys)}.");

    /// <summary>The server of the provider with this seed id, if the set runs it.</summary>
    public bool TryGetServer(string providerId, out DemoProviderServer server) => _byId.TryGetValue(providerId, out server!);

    /// <summary>Starts the providers (concurrently) and returns once all of them listen.</summary>
    /// <exception cref="ArgumentException">When a provider id or the host is not valid.</exception>
    /// <exception cref="DemoSeedException">When the seed cannot be loaded.</exception>
    /// <exception cref="IOException">When an address cannot be bound; the servers already started are stopped.</exception>
    public static async Task<DemoProviderSet> StartAsync(DemoProviderSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DemoProviderSetOptions();
        var seed = options.Seed ?? DemoSeed.Load(options.SeedPath);
        var providers = SelectProviders(seed, options.ProviderIds);
        if (options.BasePort is < 0 || options.BasePort + providers.Count - 1 > 65535)
        {
            throw new ArgumentException($"The base port must leave room for {providers.Count} consecutive ports up to 65535, or be 0 for free ports.", nameof(options));
        }

        var host = options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host;
        var starting = providers.Select((provider, index) => DemoProviderServer.StartAsync(
            new DemoProviderServerOptions
            {
                ProviderId = provider.Id,
                Url = string.Create(CultureInfo.InvariantCulture, $"http://{host}:{(options.BasePort == 0 ? 0 : options.BasePort + index)}"),
                Seed = seed,
                Faults = options.Faults,
                CertificateReadyAfter = options.CertificateReadyAfter,
                TimeProvider = options.TimeProvider,
                CadastralNumberPattern = options.CadastralNumberPattern,
                ConfigureLogging = options.ConfigureLogging,
            },
            cancellationToken)).ToList();

        var authority = options.ConsentAuthority
            ? DemoConsentAuthority.StartAsync(
                new DemoConsentAuthorityOptions { Url = $"http://{host}:0", Seed = seed, TimeProvider = options.TimeProvider, ConfigureLogging = options.ConfigureLogging },
                cancellationToken)
            : Task.FromResult<DemoConsentAuthority>(null!);
        try
        {
            var servers = await Task.WhenAll(starting);
            return new DemoProviderSet(seed, servers, await authority);
        }
        catch
        {
            // Stop whichever servers did start, so a failed start leaves no port bound.
            foreach (var task in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await task.Result.DisposeAsync();
            }

            try
            {
                if (await authority is { } started)
                {
                    await started.DisposeAsync();
                }
            }
            catch (IOException)
            {
                // It failed to start as well: nothing to stop.
            }

            throw;
        }
    }

    /// <summary>Every server described as a <c>Gateway:Providers</c> entry, in seed order.</summary>
    /// <param name="deadline">The deadline of each entry; defaults to <see cref="DemoProviderEndpoint.DefaultDeadline"/>.</param>
    public IReadOnlyList<DemoProviderEndpoint> DescribeEndpoints(TimeSpan? deadline = null) =>
        [.. Servers.Select(s => DemoProviderEndpoint.For(s, deadline))];

    /// <summary>Stops and releases every server.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Servers.Select(s => s.DisposeAsync().AsTask()));
        if (ConsentAuthority is not null)
        {
            await ConsentAuthority.DisposeAsync();
        }
    }

    private static List<DemoSeedProvider> SelectProviders(DemoSeed seed, IReadOnlyCollection<string>? providerIds)
    {
        if (providerIds is null)
        {
            return [.. seed.Providers];
        }

        var unknown = providerIds.Where(id => seed.FindProvider(id) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Unknown demo provider id(s): {string.Join(", ", unknown)}. Valid ids: {string.Join(", ", seed.Providers.Select(p => p.Id))}.",
                nameof(providerIds));
        }

        // Seed order, whatever order the ids were given in, so ports and listings are predictable.
        return [.. seed.Providers.Where(p => providerIds.Contains(p.Id, StringComparer.Ordinal))];
    }
}
