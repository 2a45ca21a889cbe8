using Grpc.Health.V1;
using Grpc.Net.Client;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class DemoProviderSetTests
{
    [Fact]
    public async Task StartAsync_serves_every_seed_provider_healthy_on_its_own_port()
    {
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { Seed = DemoProviderHarness.Seed });

        Assert.Equal(DemoProviderHarness.Seed.Providers.Select(p => p.Id), providers.Servers.Select(s => s.ProviderId));
        Assert.Equal(providers.Servers.Count, providers.Servers.Select(s => s.Address.Port).Distinct().Count());
        foreach (var server in providers.Servers)
        {
            using var channel = GrpcChannel.ForAddress(server.Address);
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DemoProviderHarness.Deadline());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    [Fact]
    public async Task DescribeEndpoints_gives_gateway_provider_entries_in_seed_order()
    {
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions
        {
            Seed = DemoProviderHarness.Seed,
            ProviderIds = ["land-registry", "alatau-power"],
        });

        var endpoints = providers.DescribeEndpoints(TimeSpan.FromSeconds(3));

        Assert.Equal(new[] { "alatau-power", "land-registry" }, endpoints.Select(e => e.Id));
        Assert.Equal(new[] { "utilities", "land_registry" }, endpoints.Select(e => e.Domain));
        Assert.Equal($"http://127.0.0.1:{providers["alatau-power"].Address.Port}", endpoints[0].Endpoint);
        Assert.Equal(4, endpoints[0].KatoCodes.Count);
        Assert.Empty(endpoints[1].KatoCodes);
        Assert.All(endpoints, e => Assert.Equal(TimeSpan.FromSeconds(3), e.Deadline));
    }

    [Fact]
    public async Task StartAsync_refuses_unknown_provider_ids()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => DemoProviderSet.StartAsync(new DemoProviderSetOptions
        {
            Seed = DemoProviderHarness.Seed,
            ProviderIds = ["alatau-power", "nobody"],
        }));

        Assert.Contains("nobody", e.Message);
        Assert.Contains("Valid ids", e.Message);
    }

    [Fact]
    public async Task Servers_of_a_set_have_faults_of_their_own()
    {
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions
        {
            Seed = DemoProviderHarness.Seed,
            ProviderIds = ["alatau-power", "regional-water"],
        });

        providers["alatau-power"].Faults.Down = true;

        Assert.False(providers["regional-water"].Faults.Down);
        Assert.Throws<KeyNotFoundException>(() => providers["land-registry"]);
    }
}
