using System.Net.Http;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Authentication, permissions, operator and purpose, the access journal and rate limits, against live gateways
/// (the demo providers in-process, each on its own Kestrel listener).
/// </summary>
public sealed class SecurityTests
{
    private const string KarasaiIin = "791028302728";   // Akhmetov, Karasai district (195200000)
    private const string KarasaiKato = "195200000";
    private const string BalkhashIin = "870909307316";  // Ospanov, Balkhash district (193600000)
    private const string BalkhashKato = "193600000";
    private const string BalkhashOfficeKey = "balkhash-office-key-0123456789";
    private const string LandOfficeKey = "land-office-key-0123456789";
    private const string LimitedKey = "limited-client-key-0123456789";

    private static readonly CallOptions NoCache = new(headers: new Metadata { { "cache-control", "no-cache" } });

    // Besides the tests' desk (everything, everywhere): an office of the Balkhash district that may use the
    // overview and utilities, a land office that may use the land registry only, and a client limited to one call
    // a second with a burst of three.
    private static GatewaySettings Offices() => new GatewaySettings()
        .WithClient(c => c.Id("balkhash-office").ApiKey(BalkhashOfficeKey).Permissions("overview", "utilities").Districts("1936"))
        .WithClient(c => c.Id("land-office").ApiKey(LandOfficeKey).Permissions("land_registry").Districts("*"))
        .WithClient(c => c.Id("limited-client").ApiKey(LimitedKey).Permissions("*").Districts("*").RateLimit(callsPerSecond: 1, burst: 3));

    [Fact]
    public async Task A_call_with_an_API_key_runs_no_authentication_handler_and_builds_no_request_scope_for_one()
    {
        // ASP.NET Core adds its authentication middleware to every pipeline when authentication services exist, unless the
        // application marks it as added: it would resolve this scoped provider on every request, for nothing.
        var resolved = 0;
        await using var gateway = await TestGateway.StartAsync(services: s => s.AddScoped<IAuthenticationHandlerProvider>(sp =>
        {
            Interlocked.Increment(ref resolved);
            return new AuthenticationHandlerProvider(sp.GetRequiredService<IAuthenticationSchemeProvider>());
        }));

        var directory = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith("not-a-key-of-anyone-0123456789").ListProvidersAsync(new ListProvidersRequest()).ResponseAsync);

        Assert.NotEmpty(directory.Providers);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(0, resolved);
    }

    [Fact]
    public async Task A_call_without_a_valid_key_is_UNAUTHENTICATED_and_reaches_no_provider()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Offices());
        var request = new GetCitizenOverviewRequest { Iin = KarasaiIin };

        var noKey = await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith(null, TestSecrets.OperatorId, TestSecrets.Purpose).GetCitizenOverviewAsync(request).ResponseAsync);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith("not-a-key", TestSecrets.OperatorId, TestSecrets.Purpose).GetCitizenOverviewAsync(request).ResponseAsync);
        var directory = await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith(null).ListProvidersAsync(new ListProvidersRequest()).ResponseAsync);

        Assert.All([noKey, wrongKey, directory], e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
        Assert.All([noKey, wrongKey, directory], e => Assert.Equal("CLIENT_NOT_AUTHENTICATED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason));
        Assert.Contains("not valid", wrongKey.Status.Detail, StringComparison.Ordinal);
        Assert.All(gateway.EmbeddedProviders.Servers, s => Assert.Equal(0, s.Calls.Total));
    }

    [Fact]
    public async Task A_valid_key_of_an_office_of_another_district_is_PERMISSION_DENIED_before_any_provider_is_called()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Offices());
        var balkhash = gateway.ClientWith(BalkhashOfficeKey, "op-balkhash-1", "citizen-enquiry");
        var land = gateway.ClientWith(LandOfficeKey, "op-land-1", "citizen-enquiry");
        var karasaiAccount = DemoData.Seed.UtilityAccounts.First(a => a.Iin == KarasaiIin && a.ProviderId == "alatau-power");

        var otherDistrict = await Assert.ThrowsAsync<RpcException>(() =>
            balkhash.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }, NoCache).ResponseAsync);
        var noDistrict = await Assert.ThrowsAsync<RpcException>(() =>
            balkhash.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin }, NoCache).ResponseAsync);
        var providerElsewhere = await Assert.ThrowsAsync<RpcException>(() => balkhash.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = "zhetysu-power", KatoCode = BalkhashKato, Iin = karasaiAccount.Iin, AccountNumber = karasaiAccount.AccountNumber }, NoCache).ResponseAsync);
        var otherDomain = await Assert.ThrowsAsync<RpcException>(() =>
            land.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin }, NoCache).ResponseAsync);
        var called = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);
        var ownDistrict = await balkhash.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = BalkhashIin, KatoCode = BalkhashKato }, NoCache);

        Assert.All([otherDistrict, noDistrict, providerElsewhere, otherDomain], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.All([otherDistrict, noDistrict, providerElsewhere], e => Assert.Equal("DISTRICT_NOT_PERMITTED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason));
        Assert.Equal("METHOD_NOT_PERMITTED", otherDomain.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(0, called);
        Assert.True(ownDistrict.Complete);
        Assert.All(ownDistrict.Results, r => Assert.Equal(0, r.Source.Status.Code));
    }

    [Fact]
    public async Task Personal_data_calls_need_an_operator_and_a_purpose_which_reach_the_provider()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Offices());
        var anonymousDesk = gateway.ClientWith(TestSecrets.ApiKey);
        var request = new ListUtilityAccountsRequest { Iin = KarasaiIin };

        var missing = await Assert.ThrowsAsync<RpcException>(() => anonymousDesk.ListUtilityAccountsAsync(request, NoCache).ResponseAsync);
        var malformed = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.ClientWith(TestSecrets.ApiKey, "operator with spaces", "Why?").ListUtilityAccountsAsync(request, NoCache).ResponseAsync);
        var directory = await anonymousDesk.ListProvidersAsync(new ListProvidersRequest());
        var calledBefore = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);
        await gateway.FrontDesk.ListUtilityAccountsAsync(request, NoCache);
        var alatau = gateway.EmbeddedProviders["alatau-power"].Calls.LastCaller;

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Equal(
            ["x-operator-id:OPERATOR_ID_REQUIRED", "x-access-purpose:ACCESS_PURPOSE_REQUIRED"],
            missing.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => $"{v.Field}:{v.Reason}"));
        Assert.Equal(
            ["x-operator-id:OPERATOR_ID_INVALID", "x-access-purpose:ACCESS_PURPOSE_INVALID"],
            malformed.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => $"{v.Field}:{v.Reason}"));
        Assert.Equal(0, calledBefore);
        Assert.NotEmpty(directory.Providers);
        Assert.Equal(new DemoProviders.DemoCaller("test-desk", TestSecrets.OperatorId, TestSecrets.Purpose), alatau);
    }

    [Fact]
    public async Task The_journal_records_every_access_cache_hits_and_partial_failures_included_without_the_IIN()
    {
        var gateway = await TestGateway.StartAsync(settings: Offices());
        await using (gateway)
        {
            var request = new GetCitizenOverviewRequest { Iin = KarasaiIin };
            await gateway.FrontDesk.GetCitizenOverviewAsync(request);       // from the providers
            await gateway.FrontDesk.GetCitizenOverviewAsync(request);       // from the cache
            gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;
            await gateway.FrontDesk.GetCitizenOverviewAsync(request, NoCache); // one provider down
            await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith(BalkhashOfficeKey, "op-balkhash-1", "citizen-enquiry")
                .GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }).ResponseAsync);
            await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest()); // not personal data: not journaled
        }

        var entries = JournalFile.Entries(gateway.JournalPath);
        var (exitCode, verdict) = await JournalFile.VerifyAsync(gateway.JournalPath);

        Assert.Equal(4, entries.Count);
        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.All(entries, e => Assert.Equal(JournalFile.SubjectOf(KarasaiIin), e.GetProperty("subject").GetString()));
        Assert.All(entries, e => Assert.Equal("GetCitizenOverview", e.GetProperty("method").GetString()));
        Assert.Equal(["test-desk", "test-desk", "test-desk", "balkhash-office"], entries.Select(e => e.GetProperty("client").GetString()));
        Assert.Equal(TestSecrets.OperatorId, entries[0].GetProperty("operator").GetString());
        Assert.Equal(TestSecrets.Purpose, entries[0].GetProperty("purpose").GetString());
        Assert.All(entries[0].GetProperty("providers").EnumerateArray(), p => Assert.Equal("LIVE", p.GetProperty("origin").GetString()));
        Assert.All(entries[1].GetProperty("providers").EnumerateArray(), p => Assert.Equal("CACHED", p.GetProperty("origin").GetString()));
        Assert.Contains(entries[2].GetProperty("providers").EnumerateArray(), p => p.GetProperty("id").GetString() == "teplo-service" && p.GetProperty("code").GetString() == "UNAVAILABLE");
        Assert.Equal(["OK", "OK", "OK", "PERMISSION_DENIED"], entries.Select(e => e.GetProperty("result").GetString()));
        Assert.Empty(entries[3].GetProperty("providers").EnumerateArray());
        Assert.DoesNotContain(KarasaiIin, await File.ReadAllTextAsync(gateway.JournalPath), StringComparison.Ordinal);
        Assert.True(exitCode == 0, verdict);
        Assert.StartsWith("OK: 4 lines", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_over_its_rate_gets_RESOURCE_EXHAUSTED_with_RetryInfo_while_another_is_unaffected()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Offices());
        var limited = gateway.ClientWith(LimitedKey);
        var request = new ListProvidersRequest();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var limitedOutcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await limited.ListProvidersAsync(request);
                return null;
            }
            catch (RpcException e)
            {
                return e;
            }
        }));
        // The bucket holds 3 and gains 1 a second: on a slow machine the 8 calls may span a refill or two.
        var refills = (int)Math.Ceiling(clock.Elapsed.TotalSeconds);
        var others = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => gateway.FrontDesk.ListProvidersAsync(request).ResponseAsync));

        var refused = limitedOutcomes.OfType<RpcException>().ToList();
        Assert.InRange(8 - refused.Count, 3, 3 + refills); // the burst of 3 passes, then only what was refilled
        Assert.All(refused, e => Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode));
        Assert.All(refused, e => Assert.Equal("CLIENT_RATE_LIMITED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason));
        Assert.All(refused, e => Assert.InRange(e.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan(), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2)));
        Assert.Equal(8, others.Length);
    }

    [Fact]
    public async Task A_client_certificate_of_a_configured_client_authenticates_over_mutual_TLS()
    {
        using var certificates = TestCertificates.Create();
        using var known = certificates.IssueClient("karasai-office");
        using var unknown = certificates.IssueClient("somebody-else");
        var (serverPem, serverKey) = certificates.WriteServerPem();
        var settings = new GatewaySettings()
            .WithTlsGrpcEndpoint(serverPem, serverKey)
            .WithClientCaCertificate(certificates.AuthorityPemFile)
            .WithClientCertificateRevocationLists(certificates.WriteCrl([], DateTimeOffset.UtcNow.AddDays(1)))
            .WithClient(c => c.Id("karasai-office").CertificateSha256(known.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)).Permissions("*").Districts("1952"));
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        FrontDeskService.FrontDeskServiceClient ClientWithCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) => server?.Issuer == certificates.Authority.Subject;
            if (certificate is not null)
            {
                handler.SslOptions.ClientCertificates = [certificate];
            }

            var channel = GrpcChannel.ForAddress(gateway.Application.Listeners.GrpcAddress, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
            return new FrontDeskService.FrontDeskServiceClient(channel);
        }

        var headers = new Metadata { { "x-operator-id", "op-karasai-1" }, { "x-access-purpose", "citizen-enquiry" } };
        var answer = await ClientWithCertificate(known).GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin, KatoCode = KarasaiKato }, headers);
        var otherDistrict = await Assert.ThrowsAsync<RpcException>(() =>
            ClientWithCertificate(known).GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = BalkhashIin, KatoCode = BalkhashKato }, headers).ResponseAsync);
        var stranger = await Assert.ThrowsAsync<RpcException>(() => ClientWithCertificate(unknown).ListProvidersAsync(new ListProvidersRequest()).ResponseAsync);
        var none = await Assert.ThrowsAsync<RpcException>(() => ClientWithCertificate(null).ListProvidersAsync(new ListProvidersRequest()).ResponseAsync);

        Assert.Equal("https", gateway.Application.Listeners.GrpcAddress.Scheme);
        Assert.NotEmpty(answer.Results);
        Assert.Equal(StatusCode.PermissionDenied, otherDistrict.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, stranger.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        File.Delete(serverPem);
        File.Delete(serverKey);
    }

    [Fact]
    public async Task A_production_configuration_without_client_credentials_journal_or_journal_keys_does_not_start()
    {
        var provider = new ConfiguredProvider("land", "land_registry", new Uri("http://127.0.0.1:1"), []);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestGateway.StartAsync([provider], withTestClient: false));

        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Clients is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Journal:Path is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Journal:SubjectKey is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Journal:ChainKey is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Journal:SigningKey is required", StringComparison.Ordinal));
    }
}
