using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Consent;

/// <summary>
/// The citizen's consent, end to end: a real gateway, the demo providers and a demo consent authority, each on loopback.
/// A call that needs consent and has no valid one is refused before any cache or provider is asked, and journaled with
/// the reason; the whole flow runs through the gateway; a revocation made at the authority is honoured within the bound.
/// </summary>
public sealed class ConsentTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Citizen = "791028302728";
    private const string CoOwner = "830417405126";
    private const string OtherCitizen = "580203420876";
    private const string Parcel = "03-047-155-123";

    [Fact]
    public async Task Without_a_valid_consent_every_kind_of_refusal_comes_before_any_provider_and_is_journaled_with_its_reason()
    {
        string journal;
        var refusals = new List<(string Case, string Refusal)>();
        await using (var scenario = await ConsentScenario.StartAsync())
        {
            var utilities = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
            var land = await scenario.ConsentAsync(Citizen, ConsentScope.LandRegistry);
            var shortLived = await scenario.ConsentAsync(scenario.Office(), Citizen, TimeSpan.FromMinutes(1), ConsentScope.Utilities);
            var revoked = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
            await scenario.AuthorityClient.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = revoked.ConsentId, Iin = Citizen });
            scenario.AuthorityTime.Advance(TimeSpan.FromMinutes(2));
            scenario.ResetProviderCalls();

            var cases = new (string Case, FrontDeskService.FrontDeskServiceClient Desk, string Iin, string Expected)[]
            {
                ("no token", scenario.Office(), Citizen, "MISSING_TOKEN"),
                ("not a token", scenario.Office("not a token"), Citizen, "MALFORMED_TOKEN"),
                ("unknown token", scenario.Office("pgc_" + new string('x', 40)), Citizen, "UNKNOWN_TOKEN"),
                ("expired", scenario.Office(shortLived.ConsentToken), Citizen, "EXPIRED"),
                ("revoked", scenario.Office(revoked.ConsentToken), Citizen, "REVOKED"),
                ("other citizen", scenario.Office(utilities.ConsentToken), OtherCitizen, "OTHER_CITIZEN"),
                ("other client", scenario.OtherOffice(utilities.ConsentToken), Citizen, "OTHER_CLIENT"),
                ("other purpose", scenario.Office(utilities.ConsentToken, purpose: "debt-collection"), Citizen, "OTHER_PURPOSE"),
                ("other scope", scenario.Office(land.ConsentToken), Citizen, "SCOPE_NOT_GRANTED"),
            };
            foreach (var (name, desk, iin, expected) in cases)
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() => desk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = iin }).ResponseAsync);
                Assert.True(StatusCode.PermissionDenied == refused.StatusCode, $"{name}: {refused.Status}");
                var info = refused.GetRpcStatus()!.GetDetail<ErrorInfo>();
                Assert.Equal(("CONSENT_REQUIRED", expected), (info.Reason, info.Metadata["refusal"]));
                Assert.Equal("CONSENT_SCOPE_UTILITIES", Assert.Single(refused.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations).Subject);
                refusals.Add((name, expected));
            }

            // The overview too: with no scope of it granted, nothing is asked.
            var overview = await Assert.ThrowsAsync<RpcException>(() => scenario.Office().GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, overview.StatusCode);
            Assert.Equal(3, overview.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations.Count);
            Assert.Equal(0, scenario.ProviderCalls);
            journal = scenario.Gateway.JournalPath;
        }

        // Journaled, each with its reason and no consent id.
        var lines = JournalFile.Entries(journal).Where(e => e.GetProperty("method").GetString() == "ListUtilityAccounts" && e.GetProperty("result").GetString() == "PERMISSION_DENIED").ToList();
        Assert.Equal(refusals.Select(r => "CONSENT_REQUIRED:" + r.Refusal), lines.Select(l => l.GetProperty("reason").GetString()));
        Assert.All(lines, l => Assert.False(l.TryGetProperty("consent", out _)));
        Assert.DoesNotContain(Citizen, File.ReadAllText(journal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_whole_flow_through_the_gateway_answers_the_overview_and_a_revocation_at_the_authority_is_honoured_within_ten_seconds()
    {
        string journal;
        string consentId;
        await using (var scenario = await ConsentScenario.StartAsync())
        {
            // Request through the gateway: the code goes to the citizen's phone (the demo outbox); the desk confirms it.
            var desk = scenario.Office();
            var request = new Contracts.FrontDesk.V1.RequestConsentRequest { Iin = Citizen, Term = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(30)) };
            request.Scopes.AddRange([ConsentScope.Utilities, ConsentScope.LandRegistry, ConsentScope.SocialServices]);
            var requested = await desk.RequestConsentAsync(request);
            Assert.Equal(ConfirmationChannel.Sms, requested.Channel);
            Assert.DoesNotContain(Citizen[5..], requested.MaskedDestination, StringComparison.Ordinal);
            var code = await scenario.OutboxCodeAsync(requested.RequestId);
            var wrong = await Assert.ThrowsAsync<RpcException>(() => desk.ConfirmConsentAsync(new Contracts.FrontDesk.V1.ConfirmConsentRequest { RequestId = requested.RequestId, Code = code == "000000" ? "111111" : "000000" }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "CONSENT_CODE_WRONG", "4"), (wrong.StatusCode, wrong.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason, wrong.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["attempts_left"]));
            var confirmed = await desk.ConfirmConsentAsync(new Contracts.FrontDesk.V1.ConfirmConsentRequest { RequestId = requested.RequestId, Code = code });
            consentId = confirmed.ConsentId;

            var overview = await scenario.Office(confirmed.ConsentToken).GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen });
            Assert.True(overview.Complete, overview.ToString());
            Assert.All(overview.Results, r => Assert.Equal(0, r.Source.Status.Code));

            // Revoked at the authority directly, as the citizen's portal would: the gateway learns of it and refuses.
            await scenario.AuthorityClient.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = confirmed.ConsentId, Iin = Citizen });
            var revoked = Stopwatch.StartNew();
            RpcException? refusal = null;
            while (refusal is null && revoked.Elapsed < TimeSpan.FromSeconds(15))
            {
                try
                {
                    await scenario.Office(confirmed.ConsentToken).GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen });
                    await Task.Delay(50);
                }
                catch (RpcException ex)
                {
                    refusal = ex;
                }
            }

            Assert.NotNull(refusal);
            output.WriteLine($"refused {revoked.Elapsed.TotalMilliseconds:F0} ms after the revocation at the authority");
            Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(10), $"Refused {revoked.Elapsed} after the revocation.");
            Assert.Equal("REVOKED", refusal.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["refusal"]);
            journal = scenario.Gateway.JournalPath;
        }

        // The answered overview's line names the consent.
        var answered = JournalFile.Entries(journal).First(e => e.GetProperty("method").GetString() == "GetCitizenOverview" && e.GetProperty("result").GetString() == "OK");
        Assert.Equal(consentId, answered.GetProperty("consent").GetString());
    }

    [Fact]
    public async Task An_overview_under_a_consent_for_some_domains_asks_only_their_providers()
    {
        await using var scenario = await ConsentScenario.StartAsync();
        var utilities = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
        scenario.ResetProviderCalls();

        var overview = await scenario.Office(utilities.ConsentToken).GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen });

        Assert.False(overview.Complete);
        Assert.All(overview.Results.Where(r => r.Source.Domain == Domain.Utilities), r => Assert.Equal(0, r.Source.Status.Code));
        var notCovered = overview.Results.Where(r => r.Source.Domain != Domain.Utilities).ToList();
        Assert.NotEmpty(notCovered);
        Assert.All(notCovered, r => Assert.Equal((int)StatusCode.PermissionDenied, r.Source.Status.Code));
        Assert.All(scenario.Providers.Servers.Where(s => s.Provider.Domain != "utilities"), s => Assert.Equal(0, s.Calls.Total));
    }

    [Fact]
    public async Task The_streamed_overview_needs_the_same_consent_and_asks_only_the_consented_domains()
    {
        await using var scenario = await ConsentScenario.StartAsync();
        var utilities = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
        scenario.ResetProviderCalls();

        var refused = await Assert.ThrowsAsync<RpcException>(() => ReadStreamAsync(scenario.Office(), Citizen));
        Assert.Equal(0, scenario.ProviderCalls);
        var messages = await ReadStreamAsync(scenario.Office(utilities.ConsentToken), Citizen);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("MISSING_TOKEN", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["refusal"]);
        var results = messages.Where(m => m.EventCase == StreamCitizenOverviewResponse.EventOneofCase.Result).Select(m => m.Result).ToList();
        Assert.All(results.Where(r => r.Source.Domain == Domain.Utilities), r => Assert.Equal(0, r.Source.Status.Code));
        Assert.All(results.Where(r => r.Source.Domain != Domain.Utilities), r => Assert.Equal((int)StatusCode.PermissionDenied, r.Source.Status.Code));
        Assert.False(messages[^1].Finished.Complete);
        Assert.All(scenario.Providers.Servers.Where(s => s.Provider.Domain != "utilities"), s => Assert.Equal(0, s.Calls.Total));
    }

    private static async Task<List<StreamCitizenOverviewResponse>> ReadStreamAsync(FrontDeskService.FrontDeskServiceClient desk, string iin)
    {
        using var call = desk.StreamCitizenOverview(new StreamCitizenOverviewRequest { Iin = iin });
        var messages = new List<StreamCitizenOverviewResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        return messages;
    }

    [Fact]
    public async Task An_answer_cached_for_a_client_that_needs_no_consent_is_not_served_to_one_that_does()
    {
        await using var scenario = await ConsentScenario.StartAsync();
        await scenario.Gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen });
        await scenario.Gateway.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = Citizen });
        scenario.ResetProviderCalls();

        var overview = await Assert.ThrowsAsync<RpcException>(() => scenario.Office().GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = Citizen }).ResponseAsync);
        var accounts = await Assert.ThrowsAsync<RpcException>(() => scenario.Office().ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = Citizen }).ResponseAsync);

        Assert.All([overview, accounts], e => Assert.Equal("CONSENT_REQUIRED", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        Assert.Equal(0, scenario.ProviderCalls);

        // With the consent, the cached answer serves it.
        var consent = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
        var answered = await scenario.Office(consent.ConsentToken).ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = Citizen });
        Assert.NotEmpty(answered.Accounts);
    }

    [Fact]
    public async Task A_parcel_read_under_consent_names_its_citizen_and_must_be_the_citizens()
    {
        await using var scenario = await ConsentScenario.StartAsync();
        var own = await scenario.ConsentAsync(Citizen, ConsentScope.LandRegistry);
        var other = await scenario.ConsentAsync(OtherCitizen, ConsentScope.LandRegistry);
        scenario.ResetProviderCalls();

        var unnamed = await Assert.ThrowsAsync<RpcException>(() => scenario.Office(own.ConsentToken).GetParcelAsync(new GetParcelRequest { CadastralNumber = Parcel }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unnamed.StatusCode);
        Assert.Equal("iin", Assert.Single(unnamed.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        Assert.Equal(0, scenario.ProviderCalls);

        var notHolder = await Assert.ThrowsAsync<RpcException>(() => scenario.Office(other.ConsentToken).GetParcelAsync(new GetParcelRequest { CadastralNumber = Parcel, Iin = OtherCitizen }).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "OTHER_CITIZEN"), (notHolder.StatusCode, notHolder.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["refusal"]));

        var parcel = await scenario.Office(own.ConsentToken).GetParcelAsync(new GetParcelRequest { CadastralNumber = Parcel, Iin = Citizen });
        Assert.Contains(parcel.Parcel.RightsHolders, h => h.Iin == Citizen);
        var coOwner = await scenario.ConsentAsync(CoOwner, ConsentScope.LandRegistry);
        Assert.Equal(Parcel, (await scenario.Office(coOwner.ConsentToken).GetParcelAsync(new GetParcelRequest { CadastralNumber = Parcel, Iin = CoOwner })).Parcel.CadastralNumber);
    }

    [Fact]
    public async Task The_JSON_route_checks_the_same_header_and_a_second_token_header_is_refused()
    {
        await using var scenario = await ConsentScenario.StartAsync();
        var consent = await scenario.ConsentAsync(Citizen, ConsentScope.Utilities);
        using var http = new HttpClient { BaseAddress = scenario.Gateway.HttpAddress };
        async Task<(HttpStatusCode, string)> PostAsync(params string[] tokens)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/utilities/accounts:list")
            {
                Content = new StringContent($$"""{"iin":"{{Citizen}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", ConsentScenario.OfficeKey);
            request.Headers.Add("x-operator-id", ConsentScenario.Operator);
            request.Headers.Add("x-access-purpose", ConsentScenario.Purpose);
            foreach (var token in tokens)
            {
                request.Headers.Add("X-Consent-Token", token);
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        scenario.ResetProviderCalls();
        var (missing, missingBody) = await PostAsync();
        var (twice, twiceBody) = await PostAsync(consent.ConsentToken, consent.ConsentToken);
        Assert.Equal(0, scenario.ProviderCalls);
        var (ok, okBody) = await PostAsync(consent.ConsentToken);

        Assert.Equal(HttpStatusCode.Forbidden, missing);
        Assert.Contains("MISSING_TOKEN", missingBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, twice);
        Assert.Contains("MALFORMED_TOKEN", twiceBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.NotEmpty(JsonDocument.Parse(okBody).RootElement.GetProperty("accounts").EnumerateArray());
    }

    [Fact]
    public async Task An_authority_that_does_not_answer_refuses_the_call_unavailable_and_asks_no_provider()
    {
        await using var scenario = await ConsentScenario.StartAsync(settings => settings["Gateway:Consent:Authority"] = "http://127.0.0.1:9");
        scenario.ResetProviderCalls();

        var refused = await Assert.ThrowsAsync<RpcException>(() => scenario.Office("pgc_" + new string('y', 40)).ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = Citizen }).ResponseAsync);

        Assert.Equal((StatusCode.Unavailable, "CONSENT_AUTHORITY_UNAVAILABLE"), (refused.StatusCode, refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        Assert.Equal(0, scenario.ProviderCalls);
        var request = await Assert.ThrowsAsync<RpcException>(() => scenario.Office().RequestConsentAsync(new Contracts.FrontDesk.V1.RequestConsentRequest
        {
            Iin = Citizen,
            Scopes = { ConsentScope.Utilities },
            Term = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        }).ResponseAsync);
        Assert.Equal((StatusCode.Unavailable, "CONSENT_AUTHORITY_UNAVAILABLE"), (request.StatusCode, request.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
    }
}
