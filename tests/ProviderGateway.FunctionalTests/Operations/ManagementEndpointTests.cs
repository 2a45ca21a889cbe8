using System.Net;
using System.Net.Http;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>Health, readiness and metrics on the management endpoint only; the desk API never there.</summary>
public sealed class ManagementEndpointTests
{
    private static readonly string[] OperationsPaths = ["/metrics", "/readyz", "/healthz", "/health"];

    [Fact]
    public async Task Metrics_and_health_answer_on_the_management_endpoint_and_are_404_on_the_HTTP_and_gRPC_endpoints()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http1 = new HttpClient();
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var onManagement = await StatusesAsync(http1, gateway.ManagementAddress);
        var onHttp = await StatusesAsync(http1, gateway.HttpAddress);
        var onGrpc = await StatusesAsync(h2c, gateway.Application.Listeners.GrpcAddress);
        // Another spelling of the path reaches the same endpoint, and is refused the same way.
        var spelledOtherwise = (await http1.GetAsync(new Uri(gateway.HttpAddress, "/METRICS/"))).StatusCode;
        var grpcHealth = await new Health.HealthClient(gateway.Channel).CheckAsync(new HealthCheckRequest());

        Assert.All(onManagement, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(onHttp, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.All(onGrpc, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Equal(HttpStatusCode.NotFound, spelledOtherwise);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpcHealth.Status);
    }

    [Fact]
    public async Task A_desk_call_on_the_management_endpoint_is_refused()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient();
        HttpRequestMessage Directory(Uri address)
        {
            var get = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/v1/providers"));
            get.Headers.Add("x-api-key", TestSecrets.ApiKey);
            return get;
        }

        using var onHttp = await http.SendAsync(Directory(gateway.HttpAddress));
        using var onManagement = await http.SendAsync(Directory(gateway.ManagementAddress));
        using var grpcWeb = GrpcChannel.ForAddress(gateway.ManagementAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            TestGateway.ClientWith(grpcWeb, TestSecrets.ApiKey).ListProvidersAsync(new ListProvidersRequest()).ResponseAsync);

        Assert.Equal(HttpStatusCode.OK, onHttp.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onManagement.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode); // grpc-dotnet's reading of HTTP 404
    }

    [Fact]
    public async Task The_health_report_does_not_name_the_Redis_address()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: TestGateway.WithRedis(redis));
        using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };

        var reachable = await MetricsTests.PollAsync(async () =>
            (await http.GetStringAsync("/health")).Contains("\"redis\":{\"status\":\"Healthy\"", StringComparison.Ordinal));
        var connected = await http.GetStringAsync("/health");
        await redis.KillAsync();
        var unreachable = await MetricsTests.PollAsync(async () =>
            (await http.GetStringAsync("/health")).Contains("\"redis\":{\"status\":\"Degraded\"", StringComparison.Ordinal));
        var down = await http.GetStringAsync("/health");

        Assert.True(reachable, "Redis was never reported connected");
        Assert.True(unreachable, "Redis was never reported unreachable");
        Assert.Contains("\"redis\":{\"status\":\"Healthy\"", connected, StringComparison.Ordinal);
        Assert.DoesNotContain(redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), connected, StringComparison.Ordinal);
        Assert.DoesNotContain(redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), down, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_does_not_start_without_a_management_endpoint_of_its_own()
    {
        var missing = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestGateway.StartAsync(settings: new GatewaySettings { ["Kestrel:Endpoints:Management:Url"] = null }));
        var shared = await Assert.ThrowsAsync<OptionsValidationException>(() => TestGateway.StartAsync(settings: new GatewaySettings
        {
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:5981",
            ["Kestrel:Endpoints:Management:Url"] = "http://0.0.0.0:5981",
        }));

        Assert.Contains(missing.Failures, f => f.StartsWith("Kestrel:Endpoints:Management:Url is missing", StringComparison.Ordinal));
        Assert.Contains(shared.Failures, f => f.StartsWith("Kestrel:Endpoints:Management:Url", StringComparison.Ordinal) && f.Contains("Kestrel:Endpoints:Http", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode[]> StatusesAsync(HttpClient http, Uri address)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var path in OperationsPaths)
        {
            using var response = await http.GetAsync(new Uri(address, path));
            statuses.Add(response.StatusCode);
        }

        return [.. statuses];
    }
}
