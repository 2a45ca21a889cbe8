using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Rpc;
using Google.Type;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.Contracts.Utilities.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

// Not ProviderGateway.FunctionalTests.DemoProviders, as the folder would have it: that namespace would hide
// the ProviderGateway.DemoProviders namespace from the tests that name its types as DemoProviders.Something.
namespace ProviderGateway.FunctionalTests;

/// <summary>
/// What exactly-once tests of durable submissions (issue 20) rely on, against a real demo provider on
/// loopback and a real gRPC client: the write ledger counts each write received and each write applied per
/// request_id, in process and through <c>GET /demo/writes</c>, and the LoseWriteAnswers fault applies a
/// write and then loses its answer, so only a replayed retry can give the caller its result.
/// </summary>
public sealed class DemoWriteLedgerTests : IAsyncLifetime
{
    private const string ProviderId = "alatau-power";
    private const string WriteAnswerLost = "WRITE_ANSWER_LOST";

    // A moment after every date in the seed, so that meter readings dated "today" are never before the last one.
    private static readonly DateTimeOffset SeedNow = new(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(5));

    private static readonly Metadata Client = new() { { "x-client-id", "demo-ledger-tests" } };

    private static readonly DemoSeedUtilityAccount Account = DemoData.Seed.UtilityAccounts
        .First(a => a.ProviderId == ProviderId && a.State == AccountState.Active && a.Meters.Count > 0);

    private DemoProviderServer _server = null!;
    private GrpcChannel _channel = null!;
    private UtilitiesService.UtilitiesServiceClient _utilities = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync(ProviderId);
        _channel = GrpcChannel.ForAddress(_server.Address);
        _utilities = new UtilitiesService.UtilitiesServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_meter_reading_sent_twice_with_one_request_id_is_received_twice_and_applied_once()
    {
        var request = NextReading(increaseBy: 120_000);

        var first = await _utilities.CreateMeterReadingAsync(request, Client);
        var retry = await _utilities.CreateMeterReadingAsync(request.Clone(), Client);

        Assert.Equal(first.Reading, retry.Reading);
        Assert.Equal(2, _server.Writes.Received(request.RequestId));
        Assert.Equal(1, _server.Writes.Applied(request.RequestId));
        Assert.Equal(2, _server.Writes.TotalReceived);
        Assert.Equal(1, _server.Writes.TotalApplied);
        Assert.Equal(new DemoWriteCount(2, 1), Assert.Single(_server.Writes.Snapshot()).Value);
    }

    [Fact]
    public async Task The_ledger_keys_request_ids_in_lower_case_as_the_idempotency_does()
    {
        var request = NextReading(increaseBy: 10_000);
        request.RequestId = request.RequestId.ToUpperInvariant();
        var retry = request.Clone();
        retry.RequestId = retry.RequestId.ToLowerInvariant();

        await _utilities.CreateMeterReadingAsync(request, Client);
        await _utilities.CreateMeterReadingAsync(retry, Client);

        Assert.Equal(request.RequestId.ToLowerInvariant(), Assert.Single(_server.Writes.Snapshot()).Key);
        Assert.Equal(2, _server.Writes.Received(request.RequestId));
        Assert.Equal(1, _server.Writes.Applied(retry.RequestId));
    }

    [Fact]
    public async Task A_write_refused_by_the_providers_rules_is_received_but_not_applied_and_an_invalid_one_is_not_received()
    {
        var below = NextReading(increaseBy: -1_000);
        var invalid = NextReading(increaseBy: 1_000);
        invalid.ValueMilliUnits = -5;

        var refused = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(below, Client).ResponseAsync);
        var rejected = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(invalid, Client).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, rejected.StatusCode);
        Assert.Equal(1, _server.Writes.Received(below.RequestId));
        Assert.Equal(0, _server.Writes.Applied(below.RequestId));
        Assert.Equal(0, _server.Writes.Received(invalid.RequestId));
        Assert.Equal(1, _server.Writes.TotalReceived);
        Assert.Equal(0, _server.Writes.TotalApplied);
    }

    [Fact]
    public async Task With_LoseWriteAnswers_the_write_is_applied_then_answered_UNAVAILABLE_and_the_retry_gets_the_applied_reading()
    {
        var request = NextReading(increaseBy: 75_000);
        _server.Faults.LoseWriteAnswers = true;

        var lost = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(request, Client).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, lost.StatusCode);
        Assert.Contains("answer lost", lost.Status.Detail, StringComparison.OrdinalIgnoreCase);
        var info = lost.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.Equal(WriteAnswerLost, info?.Reason);
        Assert.Equal(ProviderId, info?.Metadata["provider_id"]);
        Assert.Equal(1, _server.Writes.Applied(request.RequestId));

        // Reads are untouched by the fault, and already show the write that took effect.
        Assert.Equal(request.ValueMilliUnits, (await MeterAsync(request)).LastReadingMilliUnits);

        // A retry while the answers are still lost is replayed, not applied again, and its answer is lost too.
        var lostAgain = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(request.Clone(), Client).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, lostAgain.StatusCode);
        Assert.Equal(1, _server.Writes.Applied(request.RequestId));

        _server.Faults.LoseWriteAnswers = false;
        var retry = await _utilities.CreateMeterReadingAsync(request.Clone(), Client);

        Assert.Equal(request.ValueMilliUnits, retry.Reading.ValueMilliUnits);
        Assert.Equal(request.MeterId, retry.Reading.MeterId);
        Assert.Equal(request.ReadingDate, retry.Reading.ReadingDate);
        Assert.NotEmpty(retry.Reading.ReadingId);
        Assert.Equal(3, _server.Writes.Received(request.RequestId));
        Assert.Equal(1, _server.Writes.Applied(request.RequestId));
        Assert.Equal(1, _server.Writes.TotalApplied);
    }

    [Fact]
    public async Task With_LoseWriteAnswers_a_write_refused_by_the_providers_rules_keeps_its_own_error()
    {
        _server.Faults.LoseWriteAnswers = true;
        var below = NextReading(increaseBy: -1_000);

        var refused = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(below, Client).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(0, _server.Writes.Applied(below.RequestId));
    }

    [Fact]
    public async Task Get_demo_writes_reports_the_counts_as_json_for_a_provider_in_another_process()
    {
        using var http = ControlClient(_server);
        var twice = NextReading(increaseBy: 20_000);
        twice.RequestId = twice.RequestId.ToUpperInvariant();
        var refused = NextReading(increaseBy: -1_000);
        await _utilities.CreateMeterReadingAsync(twice, Client);
        await _utilities.CreateMeterReadingAsync(twice.Clone(), Client);
        await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(refused, Client).ResponseAsync);

        using var response = await http.GetAsync("/demo/writes");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, body.GetProperty("totalReceived").GetInt64());
        Assert.Equal(1, body.GetProperty("totalApplied").GetInt64());
        var requests = body.GetProperty("requests");
        Assert.Equal(2, requests.EnumerateObject().Count());
        var counted = requests.GetProperty(twice.RequestId.ToLowerInvariant());
        Assert.Equal(2, counted.GetProperty("received").GetInt64());
        Assert.Equal(1, counted.GetProperty("applied").GetInt64());
        Assert.Equal(1, requests.GetProperty(refused.RequestId).GetProperty("received").GetInt64());
        Assert.Equal(0, requests.GetProperty(refused.RequestId).GetProperty("applied").GetInt64());
    }

    [Fact]
    public async Task Get_demo_writes_before_any_write_reports_zeros()
    {
        using var http = ControlClient(_server);

        var body = await http.GetFromJsonAsync<JsonElement>("/demo/writes");

        Assert.Equal(0, body.GetProperty("totalReceived").GetInt64());
        Assert.Equal(0, body.GetProperty("totalApplied").GetInt64());
        Assert.Empty(body.GetProperty("requests").EnumerateObject());
    }

    [Fact]
    public async Task Put_demo_faults_with_loseWriteAnswers_toggles_the_fault()
    {
        using var http = ControlClient(_server);
        var request = NextReading(increaseBy: 30_000);

        using var on = await http.PutAsJsonAsync("/demo/faults", new { loseWriteAnswers = true });
        var shown = await http.GetFromJsonAsync<JsonElement>("/demo/faults");
        var lost = await Assert.ThrowsAsync<RpcException>(() => _utilities.CreateMeterReadingAsync(request, Client).ResponseAsync);
        using var off = await http.PutAsJsonAsync("/demo/faults", new { loseWriteAnswers = false });
        var retry = await _utilities.CreateMeterReadingAsync(request.Clone(), Client);

        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.True((await on.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("loseWriteAnswers").GetBoolean());
        Assert.True(shown.GetProperty("loseWriteAnswers").GetBoolean());
        Assert.Equal(StatusCode.Unavailable, lost.StatusCode);
        Assert.Equal(WriteAnswerLost, lost.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False(_server.Faults.LoseWriteAnswers);
        Assert.Equal(request.ValueMilliUnits, retry.Reading.ValueMilliUnits);
        Assert.Equal(new DemoWriteCount(2, 1), _server.Writes.Snapshot()[request.RequestId]);
    }

    [Fact]
    public async Task Put_demo_faults_refuses_a_loseWriteAnswers_that_is_not_a_boolean()
    {
        using var http = ControlClient(_server);

        using var response = await http.PutAsync(
            "/demo/faults", new StringContent("""{"loseWriteAnswers":"yes"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("errors", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(_server.Faults.LoseWriteAnswers);
    }

    [Fact]
    public void The_fault_can_be_configured_from_the_start_and_cleared()
    {
        var settings = new DemoFaultSettings { LoseWriteAnswers = true };
        var faults = new DemoFaults(settings.ApplyTo(new DemoFaultOptions()));

        Assert.True(faults.LoseWriteAnswers);
        Assert.True(DemoFaultSettings.From(faults).LoseWriteAnswers);
        faults.Clear();
        Assert.False(faults.LoseWriteAnswers);
    }

    [Fact]
    public async Task Reset_forgets_the_counts_but_not_the_writes()
    {
        var request = NextReading(increaseBy: 5_000);
        await _utilities.CreateMeterReadingAsync(request, Client);

        _server.Writes.Reset();
        await _utilities.CreateMeterReadingAsync(request.Clone(), Client);

        Assert.Equal(1, _server.Writes.Received(request.RequestId));
        Assert.Equal(0, _server.Writes.Applied(request.RequestId));
        Assert.Equal(1, _server.Writes.TotalReceived);
        Assert.Equal(0, _server.Writes.TotalApplied);
    }

    [Fact]
    public async Task Every_server_has_its_own_ledger()
    {
        await using var other = await StartAsync(ProviderId);
        var request = NextReading(increaseBy: 40_000);

        await _utilities.CreateMeterReadingAsync(request, Client);

        Assert.Equal(1, _server.Writes.TotalApplied);
        Assert.Equal(0, other.Writes.TotalReceived);
        Assert.NotSame(_server.Writes, other.Writes);
    }

    [Fact]
    public async Task Certificate_orders_and_applications_are_counted_and_lose_their_answers_too()
    {
        var citizen = DemoData.Seed.Citizens[0];
        await using var land = await StartAsync("land-registry");
        await using var social = await StartAsync("social-insurance-fund");
        using var landChannel = GrpcChannel.ForAddress(land.Address);
        using var socialChannel = GrpcChannel.ForAddress(social.Address);
        var registry = new LandRegistryService.LandRegistryServiceClient(landChannel);
        var fund = new SocialServicesService.SocialServicesServiceClient(socialChannel);
        var order = new CreateCertificateOrderRequest
        {
            RequestId = Guid.NewGuid().ToString(), Iin = citizen.Iin, CertificateType = CertificateType.RealEstateOwnership,
        };
        var application = new CreateApplicationRequest
        {
            RequestId = Guid.NewGuid().ToString(), Iin = citizen.Iin, BenefitType = BenefitType.Pension, KatoCode = citizen.KatoCode,
        };
        land.Faults.LoseWriteAnswers = true;
        social.Faults.LoseWriteAnswers = true;

        var orderLost = await Assert.ThrowsAsync<RpcException>(() => registry.CreateCertificateOrderAsync(order, Client).ResponseAsync);
        var applicationLost = await Assert.ThrowsAsync<RpcException>(() => fund.CreateApplicationAsync(application, Client).ResponseAsync);
        land.Faults.LoseWriteAnswers = false;
        social.Faults.LoseWriteAnswers = false;
        var placed = await registry.CreateCertificateOrderAsync(order.Clone(), Client);
        var submitted = await fund.CreateApplicationAsync(application.Clone(), Client);

        Assert.Equal(StatusCode.Unavailable, orderLost.StatusCode);
        Assert.Equal(StatusCode.Unavailable, applicationLost.StatusCode);
        Assert.NotEmpty(placed.Order.OrderId);
        Assert.NotEmpty(submitted.Application.ApplicationId);
        Assert.Equal(new DemoWriteCount(2, 1), land.Writes.Snapshot()[order.RequestId]);
        Assert.Equal(new DemoWriteCount(2, 1), social.Writes.Snapshot()[application.RequestId]);
    }

    private static Task<DemoProviderServer> StartAsync(string providerId) => DemoProviderServer.StartAsync(new DemoProviderServerOptions
    {
        ProviderId = providerId,
        Seed = DemoData.Seed,
        TimeProvider = new FakeTimeProvider(SeedNow),
    });

    private static CreateMeterReadingRequest NextReading(long increaseBy)
    {
        var meter = Account.Meters[0];
        var today = DateOnly.FromDateTime(SeedNow.DateTime);
        return new CreateMeterReadingRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = Account.Iin,
            AccountNumber = Account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = meter.LastReadingMilliUnits + increaseBy,
            ReadingDate = new Date { Year = today.Year, Month = today.Month, Day = today.Day },
        };
    }

    private static HttpClient ControlClient(DemoProviderServer server) => new()
    {
        BaseAddress = server.Address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private async Task<Meter> MeterAsync(CreateMeterReadingRequest request) =>
        (await _utilities.ListAccountsAsync(new ListAccountsRequest { Iin = request.Iin }, Client))
            .Accounts.Single(a => a.AccountNumber == request.AccountNumber)
            .Meters.Single(m => m.MeterId == request.MeterId);
}
