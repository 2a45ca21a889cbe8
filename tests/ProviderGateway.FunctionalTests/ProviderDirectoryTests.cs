using Grpc.Core;
using Grpc.Health.V1;
using ProviderGateway.Contracts.FrontDesk.V1;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.HealthChecks;

namespace ProviderGateway.FunctionalTests;

public sealed class ProviderDirectoryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Directory_lists_every_provider_with_its_domain_districts_and_health()
    {
        var answer = await fixture.Gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());

        Assert.Equal(DemoData.Seed.Providers.Select(p => p.Id), answer.Providers.Select(p => p.ProviderId));
        Assert.All(answer.Providers, p =>
        {
            Assert.Equal(ProviderHealth.Serving, p.Health);
            Assert.NotNull(p.HealthCheckTime);
            Assert.NotEqual(Domain.Unspecified, p.Domain);
        });
        Assert.Equal(["331000000", "333200000", "334200000", "334400000"], answer.Providers.Single(p => p.ProviderId == "zhetysu-power").KatoCodes);
        Assert.Empty(answer.NextPageToken);
    }

    [Fact]
    public async Task Directory_filters_by_domain_and_district_and_pages()
    {
        var listed = new List<string>();
        var pages = new List<int>();
        var token = "";
        do
        {
            var page = await fixture.Gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest { Domain = Domain.Utilities, KatoCode = "331000000", PageSize = 2, PageToken = token });
            listed.AddRange(page.Providers.Select(p => p.ProviderId));
            pages.Add(page.Providers.Count);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        var expected = DemoData.Seed.Providers.Where(p => p.Domain == DemoProviders.DemoDomain.Utilities && (p.KatoCodes.Count == 0 || p.KatoCodes.Contains("331000000"))).Select(p => p.Id);
        Assert.Equal(expected, listed);
        Assert.Equal([2, 2, 1], pages);
    }

    [Fact]
    public async Task Directory_shows_a_stopped_provider_unreachable_after_the_next_probe_and_its_failed_traffic()
    {
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider("land-registry", "land_registry", land.Address, [])],
            new GatewaySettings { ["Gateway:HealthCheckTimeout"] = "00:00:05" });
        var before = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());

        await land.KillAsync();
        await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetParcelAsync(
            new GetParcelRequest { CadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber }).ResponseAsync);
        // The probe that runs every HealthProbeInterval, run now.
        await gateway.Application.App.Services.GetRequiredService<ProviderHealthMonitor>().ProbeAllAsync(CancellationToken.None);
        var after = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());

        var serving = Assert.Single(before.Providers);
        Assert.Equal(ProviderHealth.Serving, serving.Health);
        Assert.Equal(CircuitState.Closed, serving.CircuitState);
        var stopped = Assert.Single(after.Providers);
        Assert.Equal(ProviderHealth.Unreachable, stopped.Health);
        Assert.True(stopped.HealthCheckTime.ToDateTimeOffset() > serving.HealthCheckTime.ToDateTimeOffset());
        Assert.True(stopped.PassiveHealth.Failures >= 1);
        Assert.Equal("UNAVAILABLE", stopped.PassiveHealth.LastFailureCode);
        Assert.NotNull(stopped.PassiveHealth.LastFailureTime);
    }

    [Fact]
    public async Task The_gateway_answers_grpc_health_checks_and_lists_its_services_by_reflection()
    {
        var health = await new Health.HealthClient(fixture.Gateway.Channel).CheckAsync(new HealthCheckRequest());
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(fixture.Gateway.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("providergateway.frontdesk.v1.FrontDeskService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
