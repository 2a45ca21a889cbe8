using System.Net.Http.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.DemoProviders.Consent;

namespace ProviderGateway.Tests.DemoProviders;

/// <summary>
/// The demo consent authority as a gateway (or a desk through it) meets it: a real gRPC server on loopback, its codes
/// read from its outbox endpoint as a tester would, time moved by hand.
/// </summary>
public sealed class DemoConsentAuthorityTests : IAsyncLifetime
{
    private const string Client = "akimat-almaty-desk";
    private const string Purpose = "Housing benefit application";
    private readonly ManualTimeProvider _time = new(DemoProviderHarness.SeedNow);
    private DemoConsentAuthority _authority = null!;
    private GrpcChannel _channel = null!;
    private ConsentService.ConsentServiceClient _consent = null!;

    private static string Citizen => DemoProviderHarness.Seed.Citizens[0].Iin;

    private static string OtherCitizen => DemoProviderHarness.Seed.Citizens[1].Iin;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _authority = await DemoConsentAuthority.StartAsync(new DemoConsentAuthorityOptions { Seed = DemoProviderHarness.Seed, TimeProvider = _time });
        _channel = GrpcChannel.ForAddress(_authority.Address);
        _consent = new ConsentService.ConsentServiceClient(_channel);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public void Every_seed_citizen_has_an_invented_phone_number_and_no_two_share_one()
    {
        var phones = DemoConsentAuthority.PhonesOf(DemoProviderHarness.Seed);

        Assert.Equal(DemoProviderHarness.Seed.Citizens.Select(c => c.Iin).Order(), phones.Keys.Order());
        // Invented from the IIN (+7 700 and its last seven digits), not looked up anywhere; the demo sends nothing to them.
        Assert.All(phones, p => Assert.Matches(@"^\+7700\d{7}$", p.Value));
        Assert.Equal(phones.Count, phones.Values.Distinct().Count());
    }

    [Fact]
    public async Task A_consent_requested_and_confirmed_with_the_code_from_the_outbox_grants_exactly_what_was_asked()
    {
        var requested = await RequestAsync(Citizen, ConsentScope.Utilities, ConsentScope.SocialServices);
        var code = await OutboxCodeAsync(requested.RequestId);

        var confirmed = await _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = requested.RequestId, Code = code });
        var granted = await VerifyAsync(confirmed.ConsentToken, Citizen, Client, Purpose, ConsentScope.SocialServices);

        Assert.Equal(ConfirmationChannel.Sms, requested.Channel);
        Assert.Matches(@"^\+7 7\*\* \*\*\* \*\*\d\d$", requested.MaskedDestination);
        Assert.Equal(_time.GetUtcNow().AddMinutes(5), requested.CodeExpireTime.ToDateTimeOffset());
        Assert.Equal(_time.GetUtcNow().AddDays(30), confirmed.ExpireTime.ToDateTimeOffset());
        Assert.Equal([ConsentScope.Utilities, ConsentScope.SocialServices], confirmed.Scopes);
        Assert.True(granted.Granted);
        Assert.Equal((RefusalReason.Unspecified, confirmed.ConsentId), (granted.Reason, granted.ConsentId));
        Assert.Null(_authority.Ledger.CodeFor(requested.RequestId));
        var again = await Assert.ThrowsAsync<RpcException>(() => _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = requested.RequestId, Code = code }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "CONSENT_REQUEST_NOT_FOUND"), (again.StatusCode, RpcDetails.ErrorInfo(again).Reason));
    }

    [Fact]
    public async Task Verify_refuses_with_the_reason_for_each_way_a_token_does_not_fit_the_access()
    {
        var token = (await ConsentAsync(Citizen, ConsentScope.Utilities)).ConsentToken;

        Assert.Equal(RefusalReason.UnknownToken, (await VerifyAsync("not-a-token", Citizen, Client, Purpose, ConsentScope.Utilities)).Reason);
        Assert.Equal(RefusalReason.OtherCitizen, (await VerifyAsync(token, OtherCitizen, Client, Purpose, ConsentScope.Utilities)).Reason);
        Assert.Equal(RefusalReason.OtherClient, (await VerifyAsync(token, Citizen, "another-office", Purpose, ConsentScope.Utilities)).Reason);
        Assert.Equal(RefusalReason.OtherPurpose, (await VerifyAsync(token, Citizen, Client, "Curiosity", ConsentScope.Utilities)).Reason);
        Assert.Equal(RefusalReason.ScopeNotGranted, (await VerifyAsync(token, Citizen, Client, Purpose, ConsentScope.LandRegistry)).Reason);
        Assert.True((await VerifyAsync(token, Citizen, Client, Purpose, ConsentScope.Utilities)).Granted);

        _time.Advance(TimeSpan.FromDays(30));
        var expired = await VerifyAsync(token, Citizen, Client, Purpose, ConsentScope.Utilities);
        Assert.Equal((false, RefusalReason.Expired), (expired.Granted, expired.Reason));
    }

    [Fact]
    public async Task A_code_is_refused_after_five_wrong_attempts_and_after_five_minutes()
    {
        var locked = await RequestAsync(Citizen, ConsentScope.Utilities);
        var right = await OutboxCodeAsync(locked.RequestId);
        var wrong = right == "000000" ? "111111" : "000000";
        var attemptsLeft = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = locked.RequestId, Code = wrong }).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            attemptsLeft.Add(RpcDetails.ErrorInfo(refused).Metadata["attempts_left"]);
        }

        var exhausted = await Assert.ThrowsAsync<RpcException>(() => _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = locked.RequestId, Code = right }).ResponseAsync);
        var late = await RequestAsync(Citizen, ConsentScope.Utilities);
        var lateCode = await OutboxCodeAsync(late.RequestId);
        _time.Advance(TimeSpan.FromMinutes(5));
        var expired = await Assert.ThrowsAsync<RpcException>(() => _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = late.RequestId, Code = lateCode }).ResponseAsync);

        Assert.Equal(["4", "3", "2", "1", "0"], attemptsLeft);
        Assert.Equal((StatusCode.FailedPrecondition, "CONSENT_ATTEMPTS_EXHAUSTED"), (exhausted.StatusCode, RpcDetails.ErrorInfo(exhausted).Reason));
        Assert.Equal((StatusCode.FailedPrecondition, "CONSENT_CODE_EXPIRED"), (expired.StatusCode, RpcDetails.ErrorInfo(expired).Reason));
    }

    [Fact]
    public async Task A_revocation_refuses_the_token_reaches_a_watcher_and_a_watcher_resuming_gets_each_earlier_one_once()
    {
        var first = await ConsentAsync(Citizen, ConsentScope.Utilities);
        var second = await ConsentAsync(Citizen, ConsentScope.LandRegistry);
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _consent.WatchRevocations(new WatchRevocationsRequest(), cancellationToken: watching.Token);

        var revoked = await _consent.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = first.ConsentId, Iin = Citizen });
        Assert.True(await watch.ResponseStream.MoveNext(watching.Token));
        var seen = watch.ResponseStream.Current;
        var revokedAgain = await _consent.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = first.ConsentId, Iin = Citizen });
        await _consent.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = second.ConsentId, Iin = Citizen });
        Assert.True(await watch.ResponseStream.MoveNext(watching.Token));
        var next = watch.ResponseStream.Current;

        using var resumed = _consent.WatchRevocations(new WatchRevocationsRequest { AfterSequence = 1 }, cancellationToken: watching.Token);
        Assert.True(await resumed.ResponseStream.MoveNext(watching.Token));
        var replayed = resumed.ResponseStream.Current;
        var notOwn = await Assert.ThrowsAsync<RpcException>(() => _consent.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = second.ConsentId, Iin = OtherCitizen }).ResponseAsync);

        Assert.Equal((1, first.ConsentId), (seen.Sequence, seen.ConsentId));
        Assert.Equal(revoked.RevokeTime, revokedAgain.RevokeTime);
        Assert.Equal((2, second.ConsentId), (next.Sequence, next.ConsentId));
        Assert.Equal((2, second.ConsentId), (replayed.Sequence, replayed.ConsentId));
        Assert.Equal(RefusalReason.Revoked, (await VerifyAsync(first.ConsentToken, Citizen, Client, Purpose, ConsentScope.Utilities)).Reason);
        Assert.Equal((StatusCode.NotFound, "CONSENT_NOT_FOUND"), (notOwn.StatusCode, RpcDetails.ErrorInfo(notOwn).Reason));
    }

    [Fact]
    public async Task Malformed_requests_are_INVALID_ARGUMENT_naming_every_field_and_an_unknown_citizen_has_no_channel()
    {
        var malformed = await Assert.ThrowsAsync<RpcException>(() => _consent.RequestConsentAsync(new RequestConsentRequest
        {
            Iin = "123",
            ClientId = "Not A Client",
            Purpose = "",
            Scopes = { ConsentScope.Utilities, ConsentScope.Utilities },
            Term = Duration.FromTimeSpan(TimeSpan.FromDays(400)),
        }).ResponseAsync);
        var badVerify = await Assert.ThrowsAsync<RpcException>(() => _consent.VerifyConsentAsync(new VerifyConsentRequest { ConsentToken = "t", Iin = Citizen, ClientId = Client, Purpose = Purpose }).ResponseAsync);
        var badCode = await Assert.ThrowsAsync<RpcException>(() => _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = "r", Code = "12ab56" }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _consent.RequestConsentAsync(NewRequest(DemoProviderHarness.UnknownIin, ConsentScope.Utilities)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal(["iin", "client_id", "operator_id", "purpose", "scopes", "term"], RpcDetails.ViolatedFields(malformed));
        Assert.Equal(["scope"], RpcDetails.ViolatedFields(badVerify));
        Assert.Equal(["code"], RpcDetails.ViolatedFields(badCode));
        Assert.Equal((StatusCode.FailedPrecondition, "CONSENT_NO_CHANNEL"), (unknown.StatusCode, RpcDetails.ErrorInfo(unknown).Reason));
        Assert.DoesNotContain(DemoProviderHarness.UnknownIin, unknown.Status.Detail, StringComparison.Ordinal);
    }

    private static RequestConsentRequest NewRequest(string iin, params ConsentScope[] scopes) => new()
    {
        Iin = iin,
        ClientId = Client,
        OperatorId = "operator-17",
        Purpose = Purpose,
        Scopes = { scopes },
        Term = Duration.FromTimeSpan(TimeSpan.FromDays(30)),
    };

    private async Task<RequestConsentResponse> RequestAsync(string iin, params ConsentScope[] scopes) =>
        await _consent.RequestConsentAsync(NewRequest(iin, scopes));

    private async Task<ConfirmConsentResponse> ConsentAsync(string iin, params ConsentScope[] scopes)
    {
        var requested = await RequestAsync(iin, scopes);
        return await _consent.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = requested.RequestId, Code = await OutboxCodeAsync(requested.RequestId) });
    }

    private async Task<VerifyConsentResponse> VerifyAsync(string token, string iin, string client, string purpose, ConsentScope scope) =>
        await _consent.VerifyConsentAsync(new VerifyConsentRequest { ConsentToken = token, Iin = iin, ClientId = client, Purpose = purpose, Scope = scope });

    // The outbox over HTTP/2 cleartext, as a tester's script reads it.
    private async Task<string> OutboxCodeAsync(string requestId)
    {
        using var http = new HttpClient { BaseAddress = _authority.Address, DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var message = await http.GetFromJsonAsync<OutboxMessage>($"/demo/consent/outbox?request_id={Uri.EscapeDataString(requestId)}");
        return message!.Code;
    }

    private sealed record OutboxMessage([property: System.Text.Json.Serialization.JsonPropertyName("request_id")] string RequestId, [property: System.Text.Json.Serialization.JsonPropertyName("code")] string Code);
}
