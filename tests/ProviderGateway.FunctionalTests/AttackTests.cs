using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Attacks on access control by a caller holding one valid office key (an office of the Karasai district), against live
/// gateways. Each test states what must hold; the ones that fail are findings (see the report of the attack branch).
/// </summary>
public sealed class AttackTests
{
    private const string KarasaiKato = "195200000";
    private const string KarasaiOfficeKey = "karasai-attack-key-0123456789";
    private const string KarasaiIin = "791028302728";      // Akhmetov, Karasai (195200000)
    private const string TaldykorganIin = "720119319078";  // Baimukhanov, Taldykorgan (331000000)
    private const string Purpose = "citizen-enquiry";
    private const string OverviewGrpcPath = "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview";
    private const string OverviewJsonPath = "/v1/citizens:overview";

    private static GatewaySettings KarasaiOffice() => new GatewaySettings()
        .WithClient(c => c.Id("karasai-office").ApiKey(KarasaiOfficeKey).Permissions("*").Districts("1952").RateLimit(100_000, 100_000));

    // ---------------------------------------------------------------------------------------------------------------
    // Findings: these fail on the attacked code.
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The fan-out page token is not authenticated: its "scope" is a bare SHA-256 of method, IIN and KATO code that any
    /// caller can compute, and the providers it names are asked without checking that they serve the listing's district
    /// (or even its domain). An office of Karasai thus lists, from a social-services provider that serves only
    /// another district, the benefits of a citizen of that district; social-services items are not filtered by district.
    /// </summary>
    [Fact]
    public async Task A_forged_page_token_does_not_make_the_gateway_ask_a_provider_that_does_not_serve_the_clients_district()
    {
        // Arrange: the demo providers, configured as they are except that targeted assistance serves one district of
        // the Zhetysu region only (an akimat's own programme), not Karasai.
        await using var providers = await DemoProviderSet.StartAsync();
        const string ElsewhereDistrict = "333200000";
        var configured = providers.Servers
            .Select(s => new ConfiguredProvider(s.ProviderId, s.Provider.Domain, s.Address, s.ProviderId == "targeted-assistance" ? [ElsewhereDistrict] : s.Provider.KatoCodes))
            .ToList();
        await using var gateway = await TestGateway.StartAsync(configured, KarasaiOffice());
        var office = gateway.ClientWith(KarasaiOfficeKey, "op-karasai-1", Purpose);
        var benefit = DemoData.Seed.Benefits.First(b => b.ProviderId == "targeted-assistance" && DemoData.Seed.Citizens.Single(c => c.Iin == b.Iin).KatoCode == ElsewhereDistrict);
        var assistance = providers["targeted-assistance"];

        // The honest ways are closed: naming the provider is refused, the listing of Karasai does not ask it.
        var named = await Assert.ThrowsAsync<RpcException>(() => office.ListBenefitPaymentsAsync(new ListBenefitPaymentsRequest
        {
            ProviderId = "targeted-assistance", KatoCode = KarasaiKato, Iin = benefit.Iin, BenefitId = benefit.BenefitId,
        }).ResponseAsync);
        var honest = await office.ListBenefitsAsync(new ListBenefitsRequest { Iin = benefit.Iin, KatoCode = KarasaiKato });
        var callsBefore = assistance.Calls["ListBenefits"];

        // Act: a page token written by the caller, naming the provider that does not serve Karasai.
        var forged = ForgePageToken("/providergateway.socialservices.v1.SocialServicesService/ListBenefits", benefit.Iin, KarasaiKato, "targeted-assistance");
        var leaked = new List<string>();
        RpcException? refusal = null;
        try
        {
            var page = await office.ListBenefitsAsync(new ListBenefitsRequest { Iin = benefit.Iin, KatoCode = KarasaiKato, PageToken = forged });
            leaked.AddRange(page.Benefits.Where(b => b.ProviderId == "targeted-assistance").Select(b => b.Benefit.BenefitId));
        }
        catch (RpcException e)
        {
            refusal = e;
        }

        // Assert
        Assert.Equal(StatusCode.PermissionDenied, named.StatusCode);
        Assert.DoesNotContain(honest.Benefits, b => b.ProviderId == "targeted-assistance");
        Assert.Empty(leaked); // fails: the benefit of the citizen of another district comes back
        Assert.Equal(callsBefore, assistance.Calls["ListBenefits"]);
        Assert.Equal(StatusCode.InvalidArgument, refusal?.StatusCode);
    }

    /// <summary>
    /// The same forged token, on the embedded demo set: the accounts listing of Karasai is sent to a utility that serves
    /// only the Zhetysu region, and the parcels listing to a utility (a provider of another domain). Its answers are
    /// filtered, but the provider outside the district is asked about the citizen (and told who asks).
    /// </summary>
    [Fact]
    public async Task A_forged_page_token_cannot_send_a_listing_to_a_provider_of_another_district_or_of_another_domain()
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var office = gateway.ClientWith(KarasaiOfficeKey, "op-karasai-1", Purpose);
        var zhetysu = gateway.EmbeddedProviders["zhetysu-power"];
        var alatau = gateway.EmbeddedProviders["alatau-power"];
        var zhetysuBefore = zhetysu.Calls.Total;
        var alatauBefore = alatau.Calls.Total;

        // Act
        var accounts = await Outcome(() => office.ListUtilityAccountsAsync(new ListUtilityAccountsRequest
        {
            Iin = TaldykorganIin, KatoCode = KarasaiKato,
            PageToken = ForgePageToken("/providergateway.utilities.v1.UtilitiesService/ListAccounts", TaldykorganIin, KarasaiKato, "zhetysu-power"),
        }).ResponseAsync);
        var parcels = await Outcome(() => office.ListParcelsAsync(new ListParcelsRequest
        {
            Iin = KarasaiIin, KatoCode = KarasaiKato,
            PageToken = ForgePageToken("/providergateway.landregistry.v1.LandRegistryService/ListParcels", KarasaiIin, KarasaiKato, "alatau-power"),
        }).ResponseAsync);

        // Assert: refused as a token not issued for this listing, and neither provider asked.
        Assert.Equal(zhetysuBefore, zhetysu.Calls.Total); // fails: zhetysu-power is asked about the Taldykorgan citizen
        Assert.Equal(alatauBefore, alatau.Calls.Total);   // fails: a utility is asked for a land-registry listing
        Assert.Equal(StatusCode.InvalidArgument, accounts);
        Assert.Equal(StatusCode.InvalidArgument, parcels);
    }

    /// <summary>
    /// A gRPC call whose message is flagged compressed with an encoding the gateway does not support is refused by
    /// grpc-dotnet (UNIMPLEMENTED) before the service; that refusal is neither journaled nor given the gateway's details,
    /// though every personal-data call of an authenticated client, malformed ones included, must be.
    /// </summary>
    [Fact]
    public async Task A_call_with_an_unsupported_message_encoding_is_journaled()
    {
        // Arrange
        var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        DeskOutcome outcome;
        await using (gateway)
        {
            using var client = new HttpClient(new SocketsHttpHandler());
            var frame = Frame(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }.ToByteArray(), compressed: true);

            // Act
            outcome = await SendHttp2Async(client, gateway, OverviewGrpcPath, frame, "op-encoding-1", ("grpc-encoding", "x-unknown"));
        }

        // Assert
        var entries = JournalFile.Entries(gateway.JournalPath);
        Assert.Equal(StatusCode.Unimplemented, outcome.Code);
        Assert.Single(entries, e => e.GetProperty("operator").GetString() == "op-encoding-1"); // fails: no line
    }

    /// <summary>
    /// A gRPC call whose deadline passes while its body is still on the way is ended by grpc-dotnet (DEADLINE_EXCEEDED,
    /// then the stream reset) before the service sees it: a personal-data call of an authenticated client, refused, and
    /// not journaled.
    /// </summary>
    [Fact]
    public async Task A_call_whose_deadline_passes_before_its_body_arrives_is_journaled()
    {
        // Arrange
        var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        DeskOutcome outcome;
        await using (gateway)
        {
            using var client = new HttpClient(new SocketsHttpHandler());
            var frame = Frame(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }.ToByteArray(), compressed: false);

            // Act: the headers (with a 50 ms deadline) now, the body after the deadline.
            try
            {
                outcome = await SendHttp2Async(client, gateway, OverviewGrpcPath, new SlowContent(frame, TimeSpan.FromMilliseconds(500)), "op-deadline-1", ("grpc-timeout", "50m"));
            }
            catch (HttpRequestException e) when (e.InnerException is HttpProtocolException)
            {
                // The stream was reset after the status, while the body was still being sent.
                outcome = new DeskOutcome(StatusCode.DeadlineExceeded, "reset");
            }
        }

        // Assert
        var entries = JournalFile.Entries(gateway.JournalPath);
        Assert.Equal(StatusCode.DeadlineExceeded, outcome.Code);
        Assert.Single(entries, e => e.GetProperty("operator").GetString() == "op-deadline-1"); // fails: no line
    }

    /// <summary>
    /// A caller presenting a client certificate of one client and the API key of another is served as the key's client:
    /// two credentials naming different clients are not refused, so a key works from any machine even where desks hold
    /// certificates (and a revoked or foreign certificate goes unnoticed next to a key).
    /// </summary>
    [Fact]
    public async Task A_client_certificate_and_an_api_key_of_another_client_together_are_refused()
    {
        // Arrange: mutual TLS; the certificate belongs to a land office, the key to the Karasai office.
        using var certificates = TestCertificates.Create();
        using var landCertificate = certificates.IssueClient("land-office");
        var (serverPem, serverKey) = certificates.WriteServerPem();
        var settings = KarasaiOffice()
            .WithTlsGrpcEndpoint(serverPem, serverKey)
            .WithClientCaCertificate(certificates.AuthorityPemFile)
            .WithClientCertificateRevocationLists(certificates.WriteCrl([], DateTimeOffset.UtcNow.AddDays(1)))
            .WithClient(c => c.Id("land-office").CertificateSha256(landCertificate.GetCertHashString(HashAlgorithmName.SHA256)).Permissions("land_registry").Districts("*"));
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) => server?.Issuer == certificates.Authority.Subject;
        handler.SslOptions.ClientCertificates = [landCertificate];
        using var channel = GrpcChannel.ForAddress(gateway.Application.Listeners.GrpcAddress, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var both = TestGateway.ClientWith(channel, KarasaiOfficeKey, "op-karasai-1", Purpose);

        // Act
        var outcome = await Outcome(() => both.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }).ResponseAsync);

        // Assert
        Assert.Equal(StatusCode.Unauthenticated, outcome); // fails: OK, served as karasai-office
        File.Delete(serverPem);
        File.Delete(serverKey);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Attacks that held: regression tests.
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// HTTP/1.1 request targets the client libraries never send (absolute-form, dot segments, encoded slash or colon,
    /// path parameters, an overlong path, other methods), on the JSON route and the gRPC-Web path: none is answered,
    /// no provider is asked, and every one that names the method is journaled as refused.
    /// </summary>
    [Fact]
    public async Task Http11_request_targets_other_than_the_exact_path_reach_no_handler_and_are_journaled()
    {
        // Arrange
        var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato };
        var json = Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request));
        var frame = Frame(request.ToByteArray(), compressed: false);
        var results = new List<(string Label, string Operator, RawAnswer Answer, bool Named)>();
        long providerCalls;
        await using (gateway)
        {
            var http = gateway.HttpAddress;
            var attempts = new (string Label, string Method, string Target, bool Json, bool Named)[]
            {
                ("json absolute-form", "POST", $"http://{http.Authority}{OverviewJsonPath}", true, true),
                ("json dot segment", "POST", "/v1/./citizens:overview", true, true),
                ("json dot-dot segment", "POST", "/v1/x/../citizens:overview", true, true),
                ("json encoded slash", "POST", "/v1%2Fcitizens:overview", true, true),
                ("json encoded colon", "POST", "/v1/citizens%3Aoverview", true, true),
                ("json path parameter", "POST", OverviewJsonPath + ";a=b", true, false),
                ("json overlong path", "POST", OverviewJsonPath + "/" + new string('a', 6000), true, false),
                ("json GET", "GET", OverviewJsonPath, true, true),
                ("json PUT", "PUT", OverviewJsonPath, true, true),
                ("grpc-web absolute-form", "POST", $"http://{http.Authority}{OverviewGrpcPath}", false, true),
                ("grpc-web dot segment", "POST", "/providergateway.frontdesk.v1.FrontDeskService/./GetCitizenOverview", false, true),
                ("grpc-web encoded slash", "POST", "/providergateway.frontdesk.v1.FrontDeskService%2FGetCitizenOverview", false, true),
                ("grpc-web query", "POST", OverviewGrpcPath + "?a=b", false, true),
                ("grpc-web Kelvin sign for k", "POST", OverviewGrpcPath.Replace("Desk", "Des%E2%84%AA", StringComparison.Ordinal), false, true),
                ("grpc-web GET", "GET", OverviewGrpcPath, false, true),
            };
            var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

            // Act
            for (var i = 0; i < attempts.Length; i++)
            {
                var a = attempts[i];
                var operatorId = $"op-target-{i.ToString(CultureInfo.InvariantCulture)}";
                var answer = await SendHttp11Async(http, a.Method, a.Target, a.Json ? "application/json" : "application/grpc-web", a.Json ? json : frame, KarasaiOfficeKey, operatorId);
                results.Add((a.Label, operatorId, answer, a.Named));
            }

            providerCalls = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total) - before;
        }

        // Assert
        var journaled = JournalFile.Entries(gateway.JournalPath).Select(e => (Operator: e.GetProperty("operator").GetString(), Result: e.GetProperty("result").GetString())).ToList();
        Assert.Equal(0, providerCalls);
        Assert.All(results, r => Assert.False(r.Answer.Served, $"{r.Label}: {r.Answer}"));
        Assert.All(results.Where(r => r.Named), r => Assert.True(r.Answer.GrpcCode == StatusCode.Unimplemented, $"{r.Label}: {r.Answer}"));
        Assert.All(results.Where(r => r.Named), r => Assert.Contains((r.Operator, "UNIMPLEMENTED"), journaled));
    }

    /// <summary>
    /// A JSON route sent a gRPC or gRPC-Web message, a gRPC path sent JSON, gRPC over HTTP/1.1, gRPC-Web over HTTP/2 on
    /// the gRPC endpoint: each is either served as what it is (and journaled) or refused INVALID_ARGUMENT and journaled.
    /// </summary>
    [Fact]
    public async Task Content_types_crossed_between_json_routes_and_grpc_paths_are_refused_or_served_and_always_journaled()
    {
        // Arrange
        var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato };
        var json = Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request));
        var frame = Frame(request.ToByteArray(), compressed: false);
        var results = new List<(string Label, string Operator, StatusCode Code)>();
        await using (gateway)
        {
            using var h2 = new HttpClient(new SocketsHttpHandler());
            var http = gateway.HttpAddress;

            // Act
            results.Add(("json route, grpc-web body", "op-cross-1", (await SendHttp11Async(http, "POST", OverviewJsonPath, "application/grpc-web", frame, KarasaiOfficeKey, "op-cross-1")).GrpcCode ?? StatusCode.Unknown));
            results.Add(("json route, grpc body", "op-cross-2", (await SendHttp11Async(http, "POST", OverviewJsonPath, "application/grpc", frame, KarasaiOfficeKey, "op-cross-2")).GrpcCode ?? StatusCode.Unknown));
            results.Add(("grpc-web path, json body", "op-cross-3", (await SendHttp11Async(http, "POST", OverviewGrpcPath, "application/json", json, KarasaiOfficeKey, "op-cross-3")).GrpcCode ?? StatusCode.Unknown));
            results.Add(("grpc over HTTP/1.1", "op-cross-4", (await SendHttp11Async(http, "POST", OverviewGrpcPath, "application/grpc", frame, KarasaiOfficeKey, "op-cross-4")).GrpcCode ?? StatusCode.Unknown));
            results.Add(("grpc path over h2, json body", "op-cross-5", (await SendHttp2Async(h2, gateway, OverviewGrpcPath, json, "op-cross-5", ("content-type", "application/json"))).Code));
            results.Add(("grpc-web over h2 on the grpc endpoint", "op-cross-6", (await SendHttp2Async(h2, gateway, OverviewGrpcPath, frame, "op-cross-6", ("content-type", "application/grpc-web"))).Code));
        }

        // Assert
        var journaled = JournalFile.Entries(gateway.JournalPath).Select(e => (Operator: e.GetProperty("operator").GetString(), Result: e.GetProperty("result").GetString())).ToList();
        Assert.All(results, r => Assert.True(r.Code is StatusCode.InvalidArgument or StatusCode.OK, $"{r.Label}: {r.Code}"));
        Assert.All(results, r => Assert.Single(journaled, j => j.Operator == r.Operator));
    }

    /// <summary>Two x-api-key headers (one valid) are refused UNAUTHENTICATED; two x-operator-id headers INVALID_ARGUMENT, journaled.</summary>
    [Fact]
    public async Task Doubled_key_or_operator_headers_are_refused()
    {
        // Arrange
        var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var frame = Frame(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }.ToByteArray(), compressed: false);
        RawAnswer twoKeys, validKeyTwice, twoOperators;
        long providerCalls;
        await using (gateway)
        {
            var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

            // Act
            twoKeys = await SendHttp11Async(gateway.HttpAddress, "POST", OverviewGrpcPath, "application/grpc-web", frame, KarasaiOfficeKey, "op-double-1", ("x-api-key", TestSecrets.ApiKey));
            validKeyTwice = await SendHttp11Async(gateway.HttpAddress, "POST", OverviewGrpcPath, "application/grpc-web", frame, KarasaiOfficeKey, "op-double-2", ("x-api-key", KarasaiOfficeKey));
            twoOperators = await SendHttp11Async(gateway.HttpAddress, "POST", OverviewGrpcPath, "application/grpc-web", frame, KarasaiOfficeKey, "op-double-3", ("x-operator-id", "op-other"));
            providerCalls = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total) - before;
        }

        // Assert
        var entries = JournalFile.Entries(gateway.JournalPath);
        Assert.Equal(StatusCode.Unauthenticated, twoKeys.GrpcCode);
        Assert.Equal(StatusCode.Unauthenticated, validKeyTwice.GrpcCode);
        Assert.Equal(StatusCode.InvalidArgument, twoOperators.GrpcCode);
        Assert.Equal(0, providerCalls);
        Assert.Single(entries, e => e.GetProperty("result").GetString() == "INVALID_ARGUMENT" && e.GetProperty("client").GetString() == "karasai-office");
    }

    /// <summary>Desk calls (JSON, gRPC-Web) on the management port are 404 and reach no provider.</summary>
    [Fact]
    public async Task A_front_desk_call_on_the_management_port_reaches_no_provider()
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato };
        var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

        // Act
        var json = await SendHttp11Async(gateway.ManagementAddress, "POST", OverviewJsonPath, "application/json", Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request)), KarasaiOfficeKey, "op-mgmt-1");
        var web = await SendHttp11Async(gateway.ManagementAddress, "POST", OverviewGrpcPath, "application/grpc-web", Frame(request.ToByteArray(), compressed: false), KarasaiOfficeKey, "op-mgmt-2");
        var absolute = await SendHttp11Async(gateway.ManagementAddress, "POST", $"http://{gateway.HttpAddress.Authority}{OverviewJsonPath}", "application/json", Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request)), KarasaiOfficeKey, "op-mgmt-3");

        // Assert: 404 (an absolute-form target naming the desk port is a bad request there).
        Assert.Equal(404, json.HttpStatus);
        Assert.Equal(404, web.HttpStatus);
        Assert.Equal(400, absolute.HttpStatus);
        Assert.Equal(before, gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total));
    }

    /// <summary>
    /// What a client of every district fetched is cached; a district-limited client asking the same gets the cached
    /// provider answers (no provider is asked again) filtered to its districts.
    /// </summary>
    [Fact]
    public async Task Answers_cached_for_a_client_of_every_district_are_filtered_for_a_district_limited_client()
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var office = gateway.ClientWith(KarasaiOfficeKey, "op-karasai-1", Purpose);
        var request = new GetCitizenOverviewRequest { Iin = TaldykorganIin, KatoCode = KarasaiKato };
        var everywhere = await gateway.FrontDesk.GetCitizenOverviewAsync(request);
        var listing = await gateway.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = TaldykorganIin, KatoCode = KarasaiKato, PageSize = 100 });
        var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

        // Act
        var limited = await office.GetCitizenOverviewAsync(request);
        var limitedListing = await office.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = TaldykorganIin, KatoCode = KarasaiKato, PageSize = 100 });

        // Assert
        Assert.Equal(before, gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total));
        Assert.Contains(everywhere.Results, r => (r.Utilities?.Accounts.Count ?? 0) > 0);
        Assert.NotEmpty(listing.Accounts);
        Assert.All(limited.Results, r => Assert.Empty(r.Utilities?.Accounts ?? []));
        Assert.All(limited.Results, r => Assert.Empty(r.LandRegistry?.Parcels ?? []));
        Assert.Empty(limitedListing.Accounts);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>A fan-out page token as the gateway writes one, written by the caller: no secret is needed.</summary>
    private static string ForgePageToken(string providerMethod, string iin, string katoCode, string providerId)
    {
        var scope = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{providerMethod}\n{iin}\n{katoCode}"))[..16]);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { v = 1, s = scope, c = new[] { new { p = providerId, t = "" } } });
        return Base64Url.EncodeToString(body);
    }

    private static async Task<StatusCode> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private static byte[] Frame(byte[] payload, bool compressed)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static Task<DeskOutcome> SendHttp2Async(HttpClient client, TestGateway gateway, string path, byte[] body, string operatorId, params (string Name, string Value)[] headers) =>
        SendHttp2Async(client, gateway, path, new ByteArrayContent(body), operatorId, headers);

    /// <summary>One call over HTTP/2 to the gRPC endpoint with the Karasai key, as spelt; content-type application/grpc unless given.</summary>
    private static async Task<DeskOutcome> SendHttp2Async(HttpClient client, TestGateway gateway, string path, HttpContent content, string operatorId, params (string Name, string Value)[] headers)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.Application.Listeners.GrpcAddress, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        message.Content.Headers.TryAddWithoutValidation("content-type", headers.FirstOrDefault(h => h.Name == "content-type").Value ?? "application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("x-api-key", KarasaiOfficeKey);
        message.Headers.TryAddWithoutValidation("x-operator-id", operatorId);
        message.Headers.TryAddWithoutValidation("x-access-purpose", Purpose);
        foreach (var (name, value) in headers.Where(h => h.Name != "content-type"))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = Header(response.Headers, "grpc-status") ?? Header(response.TrailingHeaders, "grpc-status") ?? GrpcWebTrailerStatus(body);
        return new DeskOutcome(status is null ? StatusCode.Unknown : (StatusCode)int.Parse(status, CultureInfo.InvariantCulture), "");
    }

    private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? GrpcWebTrailerStatus(byte[] body)
    {
        for (var offset = 0; offset + 5 <= body.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1));
            if ((body[offset] & 0x80) != 0)
            {
                var line = Encoding.ASCII.GetString(body, offset + 5, length).Split("\r\n").FirstOrDefault(l => l.StartsWith("grpc-status:", StringComparison.OrdinalIgnoreCase));
                return line?["grpc-status:".Length..].Trim();
            }

            offset += 5 + length;
        }

        return null;
    }

    /// <summary>What a raw HTTP/1.1 request got: the HTTP status, and the gRPC code of a gRPC-Web header or a JSON status.</summary>
    private readonly record struct RawAnswer(int HttpStatus, StatusCode? GrpcCode)
    {
        public bool Served => HttpStatus == 200 && GrpcCode is null or StatusCode.OK;
    }

    /// <summary>
    /// One HTTP/1.1 request written on a socket exactly as given (request line included, so any request target), with the
    /// Karasai key, an operator and a purpose; reads the answer to the end (Connection: close).
    /// </summary>
    private static async Task<RawAnswer> SendHttp11Async(Uri endpoint, string method, string target, string contentType, byte[] body, string apiKey, string operatorId, params (string Name, string Value)[] extra)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nConnection: close\r\n")
            .Append(CultureInfo.InvariantCulture, $"x-api-key: {apiKey}\r\nx-operator-id: {operatorId}\r\nx-access-purpose: {Purpose}\r\n")
            .Append(CultureInfo.InvariantCulture, $"content-type: {contentType}\r\ncontent-length: {body.Length}\r\n");
        foreach (var (name, value) in extra)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await stream.WriteAsync(body);
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received);
        }
        catch (IOException)
        {
            // The server may reset the connection after answering.
        }

        var bytes = received.ToArray();
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = (end < 0 ? text : text[..end]).Split("\r\n");
        var httpStatus = lines[0].Split(' ') is [_, var code, ..] ? int.Parse(code, CultureInfo.InvariantCulture) : 0;
        var grpcStatus = lines.Skip(1).FirstOrDefault(l => l.StartsWith("grpc-status:", StringComparison.OrdinalIgnoreCase))?["grpc-status:".Length..].Trim();
        var payload = end < 0 ? [] : bytes[(end + 4)..];
        if (lines.Any(l => l.Equals("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            payload = Unchunk(payload);
        }

        grpcStatus ??= GrpcWebTrailerStatus(payload);
        if (grpcStatus is null && lines.Any(l => l.StartsWith("content-type: application/json", StringComparison.OrdinalIgnoreCase)) && httpStatus != 200)
        {
            using var document = JsonDocument.Parse(payload);
            grpcStatus = document.RootElement.GetProperty("code").GetInt32().ToString(CultureInfo.InvariantCulture);
        }

        return new RawAnswer(httpStatus, grpcStatus is null ? null : (StatusCode)int.Parse(grpcStatus, CultureInfo.InvariantCulture));
    }

    private static byte[] Unchunk(byte[] chunked)
    {
        using var output = new MemoryStream();
        var offset = 0;
        while (offset < chunked.Length)
        {
            var lineEnd = Array.IndexOf(chunked, (byte)'\r', offset);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(Encoding.ASCII.GetString(chunked, offset, lineEnd - offset).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            output.Write(chunked, lineEnd + 2, size);
            offset = lineEnd + 2 + size + 2;
        }

        return output.ToArray();
    }

    /// <summary>A request body sent only after <paramref name="delay"/>: its headers go first.</summary>
    private sealed class SlowContent(byte[] body, TimeSpan delay) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.FlushAsync();
            await Task.Delay(delay);
            await stream.WriteAsync(body);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
