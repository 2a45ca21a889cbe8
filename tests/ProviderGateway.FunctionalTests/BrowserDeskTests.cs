using System.Net;
using System.Net.Http;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client.Web;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.Security;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Browser desks on the gateway's HTTP/1.1 endpoint: JSON calls of the HTTP routes and gRPC-Web, answering what native
/// gRPC answers, under the same security, with errors that keep their google.rpc details; CORS and the OpenAPI document.
/// </summary>
public sealed class BrowserDeskTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string OverviewRoute = "/v1/citizens:overview";
    private const string BalanceRoute = "/v1/utilities/accounts:balance";
    private const string KarasaiIin = "791028302728";   // Akhmetov: accounts with three utility providers, parcels
    private const string DeskOrigin = "https://desk.akimat.example.kz";

    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task JSON_and_gRPC_Web_return_the_same_overview_as_native_gRPC()
    {
        using var http = BrowserDesk.Http(Gateway);
        using var binary = BrowserDesk.GrpcWebChannel(Gateway, GrpcWebMode.GrpcWeb);
        using var text = BrowserDesk.GrpcWebChannel(Gateway, GrpcWebMode.GrpcWebText);
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin };

        var native = await Gateway.FrontDesk.GetCitizenOverviewAsync(request);
        var json = await http.CallAsync<GetCitizenOverviewResponse>(BrowserDesk.Post(OverviewRoute, request));
        var grpcWeb = await ClientOf(binary).GetCitizenOverviewAsync(request);
        var grpcWebText = await ClientOf(text).GetCitizenOverviewAsync(request);

        Assert.True(native.Results.Count(r => r.Utilities?.Accounts.Count > 0) >= 2, "the citizen has data with several providers");
        Assert.Equal(ProviderData(native), ProviderData(json));
        Assert.Equal(ProviderData(native), ProviderData(grpcWeb));
        Assert.Equal(ProviderData(native), ProviderData(grpcWebText));
    }

    [Fact]
    public async Task JSON_writes_int64_as_strings_enums_by_name_and_lowerCamelCase_fields()
    {
        using var http = BrowserDesk.Http(Gateway);
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Balance.MinorUnits > 0);
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

        var (status, body) = await http.ExchangeAsync(BrowserDesk.Post(BalanceRoute, request));

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var minorUnits = json.RootElement.GetProperty("balance").GetProperty("balance").GetProperty("minorUnits");
        Assert.Equal(JsonValueKind.String, minorUnits.ValueKind);
        Assert.Equal(account.Balance.MinorUnits.ToString(System.Globalization.CultureInfo.InvariantCulture), minorUnits.GetString());
        Assert.Equal("DOMAIN_UTILITIES", json.RootElement.GetProperty("source").GetProperty("domain").GetString());
        Assert.Equal(account.AccountNumber, json.RootElement.GetProperty("balance").GetProperty("accountNumber").GetString());
    }

    [Fact]
    public async Task ListProviders_is_a_GET_with_its_fields_as_query_parameters()
    {
        using var http = BrowserDesk.Http(Gateway);
        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/providers?domain=DOMAIN_LAND_REGISTRY&pageSize=5");
        get.Headers.Add(ClientAuthentication.ApiKeyHeader, TestSecrets.ApiKey);

        var directory = await http.CallAsync<ListProvidersResponse>(get);

        Assert.Equal(DemoData.Seed.Providers.Where(p => p.Domain == DemoProviders.DemoDomain.LandRegistry).Select(p => p.Id), directory.Providers.Select(p => p.ProviderId));
    }

    [Fact]
    public async Task A_JSON_overview_with_a_provider_down_is_partial_and_that_sources_status_keeps_its_details()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = BrowserDesk.Http(gateway);
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;

        var overview = await http.CallAsync<GetCitizenOverviewResponse>(BrowserDesk.Post(OverviewRoute, new GetCitizenOverviewRequest { Iin = KarasaiIin }));

        var down = overview.Results.Single(r => r.Source.ProviderId == "teplo-service").Source.Status;
        Assert.False(overview.Complete);
        Assert.Equal((int)StatusCode.Unavailable, down.Code);
        Assert.Equal("teplo-service", down.GetDetail<ErrorInfo>()?.Metadata["provider_id"]);
        Assert.Contains(overview.Results, r => r.Source.Status.Code == (int)StatusCode.OK && r.Utilities?.Accounts.Count > 0);
    }

    [Fact]
    public async Task A_JSON_call_without_an_API_key_is_401_with_a_JSON_status()
    {
        using var http = BrowserDesk.Http(Gateway);

        var status = await http.FailAsync(BrowserDesk.Post(OverviewRoute, new GetCitizenOverviewRequest { Iin = KarasaiIin }, apiKey: null), HttpStatusCode.Unauthorized);
        var wrongKey = await http.FailAsync(BrowserDesk.Post(OverviewRoute, new GetCitizenOverviewRequest { Iin = KarasaiIin }, apiKey: "not-a-key"), HttpStatusCode.Unauthorized);

        Assert.All([status, wrongKey], s => Assert.Equal((int)StatusCode.Unauthenticated, s.Code));
        Assert.All([status, wrongKey], s => Assert.Equal("CLIENT_NOT_AUTHENTICATED", s.GetDetail<ErrorInfo>()?.Reason));
        Assert.Contains("not valid", wrongKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_call_with_an_invalid_IIN_is_400_with_the_BadRequest_naming_iin()
    {
        using var http = BrowserDesk.Http(Gateway);

        var (code, body) = await http.ExchangeAsync(BrowserDesk.Post(OverviewRoute, new GetCitizenOverviewRequest { Iin = "791028302729" }));

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("\"@type\":\"type.googleapis.com/google.rpc.BadRequest\"", body, StringComparison.Ordinal);
        var status = BrowserDesk.Parser.Parse<Google.Rpc.Status>(body);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("iin", violation.Field);
        Assert.Equal("IIN_CHECK_DIGIT_MISMATCH", violation.Reason);
        Assert.Equal("INVALID_REQUEST", status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task A_JSON_call_about_another_citizens_account_is_404_with_ResourceInfo()
    {
        using var http = BrowserDesk.Http(Gateway);
        var account = DemoData.Seed.UtilityAccounts[0];
        var stranger = DemoData.Seed.Citizens.First(c => c.Iin != account.Iin).Iin;

        var status = await http.FailAsync(
            BrowserDesk.Post(BalanceRoute, new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = stranger, AccountNumber = account.AccountNumber }),
            HttpStatusCode.NotFound);

        Assert.Equal((int)StatusCode.NotFound, status.Code);
        Assert.NotNull(status.GetDetail<ResourceInfo>());
        Assert.Equal(account.ProviderId, status.GetDetail<ErrorInfo>()!.Metadata["provider_id"]);
    }

    [Theory]
    [InlineData("{\"iin\":", "not well-formed JSON")]
    [InlineData("{\"iin\":{\"digits\":\"791028302728\"}}", "an object where a string belongs")]
    [InlineData("[1,2]", "not an object")]
    public async Task A_JSON_body_that_is_not_the_methods_request_is_400_MALFORMED_REQUEST(string body, string why)
    {
        using var http = BrowserDesk.Http(Gateway);

        var status = await http.FailAsync(BrowserDesk.Post(OverviewRoute, body), HttpStatusCode.BadRequest);

        Assert.True(status.Code == (int)StatusCode.InvalidArgument, why);
        Assert.Equal("MALFORMED_REQUEST", status.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal("MALFORMED_REQUEST", Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations).Reason);
    }

    [Fact]
    public async Task A_JSON_body_above_the_request_size_limit_is_refused_429_REQUEST_TOO_LARGE()
    {
        using var http = BrowserDesk.Http(Gateway);
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = new string('1', 70 * 1024) };

        var status = await http.FailAsync(BrowserDesk.Post(OverviewRoute, request), HttpStatusCode.TooManyRequests);

        Assert.Equal((int)StatusCode.ResourceExhausted, status.Code);
        Assert.Equal("REQUEST_TOO_LARGE", status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task A_gRPC_Web_call_without_an_API_key_is_UNAUTHENTICATED()
    {
        using var channel = BrowserDesk.GrpcWebChannel(Gateway, GrpcWebMode.GrpcWeb);
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin };

        var noKey = await Assert.ThrowsAsync<RpcException>(() => TestGateway.ClientWith(channel, null, TestSecrets.OperatorId, TestSecrets.Purpose).GetCitizenOverviewAsync(request).ResponseAsync);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => TestGateway.ClientWith(channel, "not-a-key", TestSecrets.OperatorId, TestSecrets.Purpose).GetCitizenOverviewAsync(request).ResponseAsync);

        Assert.All([noKey, wrongKey], e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
        Assert.All([noKey, wrongKey], e => Assert.Equal("CLIENT_NOT_AUTHENTICATED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason));
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served_without_a_key_and_lists_every_JSON_route()
    {
        using var http = BrowserDesk.Http(Gateway);

        var (status, body) = await http.ExchangeAsync(new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json"));

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        var paths = document.RootElement.GetProperty("paths");
        var routes = FrontDeskService.Descriptor.Methods.Select(m => m.GetOptions().GetExtension(Google.Api.AnnotationsExtensions.Http));
        Assert.All(routes, rule => Assert.True(paths.TryGetProperty(rule.Post is { Length: > 0 } post ? post : rule.Get, out _), rule.ToString()));
        Assert.Equal(FrontDeskService.Descriptor.Methods.Count, paths.EnumerateObject().Count());
        var minorUnits = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Money").GetProperty("properties").GetProperty("minorUnits");
        Assert.Equal("string", minorUnits.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_CORS_preflight_is_allowed_only_for_a_configured_origin()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithBrowserOrigins(DeskOrigin));
        using var http = BrowserDesk.Http(gateway);
        const string grpcWebPath = "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview";

        using var json = await http.SendAsync(Preflight(OverviewRoute, DeskOrigin, "content-type,x-api-key,x-operator-id,x-access-purpose"));
        using var grpcWeb = await http.SendAsync(Preflight(grpcWebPath, DeskOrigin, "content-type,x-grpc-web,x-user-agent,x-api-key,x-operator-id,x-access-purpose"));
        using var stranger = await http.SendAsync(Preflight(OverviewRoute, "https://elsewhere.example.com", "content-type,x-api-key"));
        using var refused = new HttpRequestMessage(HttpMethod.Post, grpcWebPath) { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        refused.Content.Headers.ContentType = new("application/grpc-web");
        refused.Headers.Add("Origin", DeskOrigin);
        using var answer = await http.SendAsync(refused);

        Assert.All([json, grpcWeb], r => Assert.Equal(DeskOrigin, Single(r, "Access-Control-Allow-Origin")));
        Assert.All([json, grpcWeb], r => Assert.Contains("x-api-key", Single(r, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase));
        Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));
        // The refusal (no API key) is readable by the desk's page: origin allowed, gRPC-Web's status headers exposed.
        Assert.Equal(DeskOrigin, Single(answer, "Access-Control-Allow-Origin"));
        Assert.Contains("grpc-status-details-bin", Single(answer, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
        Assert.Equal(((int)StatusCode.Unauthenticated).ToString(System.Globalization.CultureInfo.InvariantCulture), Single(answer, "grpc-status"));
    }

    [Fact]
    public async Task A_gateway_allowing_any_origin_does_not_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestGateway.StartAsync(settings: new GatewaySettings().WithBrowserOrigins("*")));

        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:BrowserDesks:AllowedOrigins:0 '*' is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JSON_and_gRPC_Web_calls_pass_the_same_permissions_rate_limit_and_journal_as_native_calls()
    {
        var gateway = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithClient(c => c.Id("land-office").ApiKey("land-office-key-0123456789").Permissions("land_registry").Districts("*").RateLimit(callsPerSecond: 1, burst: 2)));
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin };
        Google.Rpc.Status notPermitted, noOperator;
        List<Google.Rpc.Status> overLimit;
        await using (gateway)
        {
            using var http = BrowserDesk.Http(gateway);
            using var channel = BrowserDesk.GrpcWebChannel(gateway, GrpcWebMode.GrpcWeb);
            await http.CallAsync<GetCitizenOverviewResponse>(BrowserDesk.Post(OverviewRoute, request));
            await ClientOf(channel).GetCitizenOverviewAsync(request);
            noOperator = await http.FailAsync(BrowserDesk.Post(OverviewRoute, request, operatorId: null), HttpStatusCode.BadRequest);
            notPermitted = await http.FailAsync(BrowserDesk.Post(OverviewRoute, request, apiKey: "land-office-key-0123456789"), HttpStatusCode.Forbidden);
            // The land office's bucket holds 2 and the refusal above took one: of 6 more calls at once one passes (to be refused
            // PERMISSION_DENIED), the rest are over the limit, unless the bucket refilled meanwhile (1 a second).
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => http.ExchangeAsync(BrowserDesk.Post(OverviewRoute, request, apiKey: "land-office-key-0123456789"))));
            overLimit = [.. outcomes.Where(o => o.Status == HttpStatusCode.TooManyRequests).Select(o => BrowserDesk.Parser.Parse<Google.Rpc.Status>(o.Body))];
        }

        var entries = JournalFile.Entries(gateway.JournalPath);

        Assert.Equal("OPERATOR_ID_REQUIRED", Assert.Single(noOperator.GetDetail<BadRequest>()!.FieldViolations).Reason);
        Assert.Equal("METHOD_NOT_PERMITTED", notPermitted.GetDetail<ErrorInfo>()?.Reason);
        Assert.InRange(overLimit.Count, 3, 5);
        Assert.All(overLimit, s => Assert.Equal("CLIENT_RATE_LIMITED", s.GetDetail<ErrorInfo>()?.Reason));
        Assert.All(overLimit, s => Assert.NotNull(s.GetDetail<RetryInfo>()));
        var journaled = entries.Select(e => (Client: e.GetProperty("client").GetString(), Result: e.GetProperty("result").GetString())).ToList();
        Assert.Equal(("test-desk", "OK"), journaled[0]);   // JSON
        Assert.Equal(("test-desk", "OK"), journaled[1]);   // gRPC-Web
        Assert.Equal(("test-desk", "INVALID_ARGUMENT"), journaled[2]);
        Assert.Equal(("land-office", "PERMISSION_DENIED"), journaled[3]);
        Assert.All(entries, e => Assert.Equal("GetCitizenOverview", e.GetProperty("method").GetString()));
        // Calls refused by the rate limiter are journaled too, unread: no subject.
        var limited = entries.Where(e => e.GetProperty("result").GetString() == "RESOURCE_EXHAUSTED").ToList();
        Assert.Equal(overLimit.Count, limited.Count);
        Assert.All(limited, e => Assert.Equal(("land-office", ""), (e.GetProperty("client").GetString(), e.GetProperty("subject").GetString())));
        Assert.Equal(entries.Count - limited.Count, entries.Count(e => e.GetProperty("subject").GetString() == JournalFile.SubjectOf(KarasaiIin)));
        Assert.Equal(TestSecrets.OperatorId, entries[0].GetProperty("operator").GetString());
    }

    private static FrontDeskService.FrontDeskServiceClient ClientOf(Grpc.Net.Client.GrpcChannel channel) =>
        TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);

    /// <summary>The providers' data and outcomes, without what differs from call to call (fetch time, latency, freshness).</summary>
    private static GetCitizenOverviewResponse ProviderData(GetCitizenOverviewResponse overview)
    {
        var data = overview.Clone();
        data.GenerateTime = null;
        foreach (var result in data.Results)
        {
            result.Source.FetchTime = null;
            result.Source.Latency = null;
            result.Source.Freshness = Freshness.Unspecified;
        }

        return data;
    }

    private static HttpRequestMessage Preflight(string path, string origin, string headers) => BrowserDesk.Preflight(path, origin, headers);

    private static string Single(HttpResponseMessage response, string header) => BrowserDesk.Header(response, header);
}
