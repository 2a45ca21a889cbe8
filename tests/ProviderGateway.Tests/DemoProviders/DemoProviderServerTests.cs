using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.Utilities.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class DemoProviderServerTests : IAsyncLifetime
{
    private const string ProviderId = "alatau-power";
    private const string ServiceName = "providergateway.utilities.v1.UtilitiesService";

    private static readonly string Iin = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.ProviderId == ProviderId).Iin;

    private DemoProviderHarness _provider = null!;
    private UtilitiesService.UtilitiesServiceClient _client = null!;

    private DemoFaults Faults => _provider.Server.Faults;

    public async Task InitializeAsync()
    {
        _provider = await DemoProviderHarness.StartAsync(ProviderId, o => o.Faults = new DemoFaultOptions { RandomSeed = 7 });
        _client = new UtilitiesService.UtilitiesServiceClient(_provider.Channel);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public void Address_is_the_bound_loopback_port()
    {
        Assert.Equal("http", _provider.Server.Address.Scheme);
        Assert.Equal(IPAddress.Loopback.ToString(), _provider.Server.Address.Host);
        Assert.NotEqual(0, _provider.Server.Address.Port);
        Assert.Equal(ProviderId, _provider.Server.ProviderId);
    }

    [Fact]
    public async Task Down_answers_UNAVAILABLE_with_PROVIDER_DOWN_and_health_NOT_SERVING()
    {
        var health = new Health.HealthClient(_provider.Channel);
        Faults.Down = true;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }).ResponseAsync);
        var overall = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        var service = await health.CheckAsync(new HealthCheckRequest { Service = ServiceName });
        Faults.Down = false;
        var recovered = await health.CheckAsync(new HealthCheckRequest { Service = ServiceName });

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("PROVIDER_DOWN", RpcDetails.ErrorInfo(e).Reason);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, service.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, recovered.Status);
    }

    [Fact]
    public async Task Hang_ends_in_DEADLINE_EXCEEDED_with_a_short_deadline()
    {
        Faults.Hang = true;

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Latency_delays_the_answer()
    {
        Faults.Latency = TimeSpan.FromMilliseconds(400);
        var stopwatch = Stopwatch.StartNew();

        var response = await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }, deadline: DemoProviderHarness.Deadline());

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(390), $"answered after {stopwatch.Elapsed}");
        Assert.NotEmpty(response.Accounts);
    }

    [Fact]
    public async Task Latency_longer_than_the_deadline_ends_in_DEADLINE_EXCEEDED()
    {
        Faults.Latency = TimeSpan.FromSeconds(30);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task ErrorRate_of_one_fails_every_call_with_the_chosen_code()
    {
        Faults.ErrorRate = 1;
        Faults.ErrorCode = StatusCode.ResourceExhausted;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal("INJECTED_FAULT", RpcDetails.ErrorInfo(e).Reason);
    }

    [Fact]
    public async Task ErrorRate_fails_about_that_share_of_calls()
    {
        Faults.ErrorRate = 0.5;
        var failures = 0;

        for (var i = 0; i < 40; i++)
        {
            try
            {
                await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 8, 32);
    }

    [Fact]
    public async Task Calls_are_counted_on_arrival_even_when_a_fault_refuses_them()
    {
        Faults.Down = true;
        await Assert.ThrowsAsync<RpcException>(() => _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }).ResponseAsync);
        await new Health.HealthClient(_provider.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(2, _provider.Server.Calls["ListAccounts"]);
        Assert.Equal(0, _provider.Server.Calls["GetAccountBalance"]);
        Assert.Equal(2, _provider.Server.Calls.Total);
    }

    [Fact]
    public async Task LastTraceParent_is_the_traceparent_header_of_the_last_call()
    {
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }, new Metadata { { "traceparent", TraceParent } });

        Assert.Equal(TraceParent, _provider.Server.LastTraceParent);
    }

    [Fact]
    public async Task The_server_hosts_only_its_own_domains_contract()
    {
        var landRegistry = new LandRegistryService.LandRegistryServiceClient(_provider.Channel);

        var e = await Assert.ThrowsAsync<RpcException>(() => landRegistry.GetParcelAsync(new GetParcelRequest { CadastralNumber = "03-047-155-123" }).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task Reflection_lists_the_contract_and_health()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_provider.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: DemoProviderHarness.Deadline());

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains(ServiceName, services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Control_endpoints_report_calls_and_change_faults_partially()
    {
        using var http = ControlClient();
        await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin });
        Faults.ErrorCode = StatusCode.Internal;

        var calls = await http.GetFromJsonAsync<JsonElement>("/demo/calls");
        using var put = await http.PutAsJsonAsync("/demo/faults", new { latencyMs = 250, down = true });
        var faults = await http.GetFromJsonAsync<JsonElement>("/demo/faults");

        Assert.Equal(1, calls.GetProperty("total").GetInt64());
        Assert.Equal(1, calls.GetProperty("methods").GetProperty("ListAccounts").GetInt64());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Faults.Latency);
        Assert.True(Faults.Down);
        Assert.Equal(StatusCode.Internal, Faults.ErrorCode);
        Assert.Equal(250, faults.GetProperty("latencyMs").GetDouble());
        Assert.Equal("Internal", faults.GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData("""{"errorRate": 1.5}""")]
    [InlineData("""{"errorCode": "Sometimes"}""")]
    [InlineData("""{"latency": 200}""")]
    [InlineData("""not json""")]
    public async Task Control_endpoint_refuses_bad_fault_settings_and_changes_nothing(string body)
    {
        using var http = ControlClient();

        using var response = await http.PutAsync("/demo/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("errors", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Faults.ErrorRate);
        Assert.Equal(TimeSpan.Zero, Faults.Latency);
    }

    [Fact]
    public async Task Stopping_answers_a_hanging_call_instead_of_waiting_for_it()
    {
        Faults.Hang = true;
        var hanging = _client.ListAccountsAsync(new ListAccountsRequest { Iin = Iin }, deadline: DemoProviderHarness.Deadline(60)).ResponseAsync;
        Assert.True(SpinWait.SpinUntil(() => _provider.Server.Calls.Total > 0, TimeSpan.FromSeconds(10)), "The call never arrived.");

        var stopwatch = Stopwatch.StartNew();
        await _provider.Server.StopAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => hanging);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"stopped after {stopwatch.Elapsed}");
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task An_unknown_provider_id_is_refused_listing_the_valid_ones()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "no-such-provider", Seed = DemoProviderHarness.Seed }));

        Assert.Contains("no-such-provider", e.Message);
        Assert.Contains("alatau-power", e.Message);
        Assert.Contains("targeted-assistance", e.Message);
    }

    [Theory]
    [InlineData("https://127.0.0.1:0")]
    [InlineData("http://example.org:6001")]
    [InlineData("http://127.0.0.1:6001/path")]
    public async Task A_url_that_is_not_an_h2c_address_is_refused(string url)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = ProviderId, Url = url, Seed = DemoProviderHarness.Seed }));

        Assert.Contains("http://127.0.0.1:6001", e.Message);
    }

    private HttpClient ControlClient() => new()
    {
        BaseAddress = _provider.Server.Address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
