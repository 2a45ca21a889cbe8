using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using Microsoft.Extensions.Configuration;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>Liveness, readiness and grpc.health.v1 of a live gateway, as a load balancer and an operator see them.</summary>
public sealed class ReadinessTests
{
    private static GatewaySettings FastProbes => new GatewaySettings().WithResilience(r => r.HealthProbeInterval(TimeSpan.FromMilliseconds(100)));

    [Fact]
    public async Task Readyz_turns_not_ready_while_no_provider_of_a_domain_is_reachable_and_ready_again_after()
    {
        await using var gateway = await TestGateway.StartAsync(settings: FastProbes);
        using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };
        var health = new Health.HealthClient(gateway.Channel);
        var registry = gateway.EmbeddedProviders["land-registry"];

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new() { Service = "" })).Status);

        registry.Faults.Down = true; // the only land registry: its health says NOT_SERVING, its calls fail
        Assert.True(await MetricsTests.PollAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable), "/readyz stayed ready.");
        var report = await ReportAsync(http, "/readyz");
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.Contains("no provider of land_registry can take calls", report.GetProperty("checks").GetProperty("provider-domains").GetProperty("description").GetString());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "providergateway.frontdesk.v1.FrontDeskService" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "providergateway.provider.land-registry" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new() { Service = "providergateway.provider.alatau-power" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode); // alive all along

        registry.Faults.Down = false;
        Assert.True(await MetricsTests.PollAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK), "/readyz did not become ready again.");
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new() { Service = "providergateway.provider.land-registry" })).Status);
    }

    [Fact]
    public async Task Readyz_turns_not_ready_while_the_configuration_file_is_invalid_and_ready_again_after()
    {
        var folder = Directory.CreateTempSubdirectory("pg-readyz-");
        var file = Path.Combine(folder.FullName, "gateway.json");
        await File.WriteAllTextAsync(file, """{ "Gateway": { "OverviewPageSize": 20 } }""");
        try
        {
            await using var gateway = await TestGateway.StartAsync(configure: configuration => configuration.AddJsonFile(file, optional: false, reloadOnChange: true));
            using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

            // An operator's edit that start-up validation would refuse.
            await File.WriteAllTextAsync(file, """{ "Gateway": { "OverviewPageSize": 1000 } }""");
            Assert.True(await MetricsTests.PollAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable), "/readyz stayed ready.");
            var description = (await ReportAsync(http, "/readyz")).GetProperty("checks").GetProperty("configuration").GetProperty("description").GetString();
            Assert.Contains("Gateway:OverviewPageSize", description);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

            await File.WriteAllTextAsync(file, """{ "Gateway": { "OverviewPageSize": 30 } }""");
            Assert.True(await MetricsTests.PollAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK), "/readyz did not become ready again.");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_health_report_lists_every_provider_and_Redis()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };

        var checks = (await ReportAsync(http, "/health")).GetProperty("checks");

        foreach (var provider in DemoData.Seed.Providers)
        {
            Assert.Equal("Healthy", checks.GetProperty($"provider:{provider.Id}").GetProperty("status").GetString());
        }

        Assert.Equal("Healthy", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("configuration").GetProperty("status").GetString());
    }

    private static async Task<JsonElement> ReportAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
