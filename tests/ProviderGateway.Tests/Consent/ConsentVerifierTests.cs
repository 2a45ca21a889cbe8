using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;
using ProviderGateway.Consent;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.DemoProviders.Consent;
using ProviderGateway.Tests.DemoProviders;

namespace ProviderGateway.Tests.Consent;

/// <summary>
/// <see cref="ConsentVerifier"/> against the demo consent authority on loopback, the gateway's clock moved by hand: what
/// it remembers, for how long, and when it must ask again.
/// </summary>
public sealed class ConsentVerifierTests : IAsyncLifetime
{
    private const string Client = "karasai-desk";
    private const string Purpose = "citizen-enquiry";
    private readonly ManualTimeProvider _authorityTime = new(DemoProviderHarness.SeedNow);
    private readonly FakeTimeProvider _gatewayTime = new(DemoProviderHarness.SeedNow);
    private DemoConsentAuthority _authority = null!;
    private GrpcChannel _channel = null!;
    private ConsentService.ConsentServiceClient _direct = null!;
    private ConsentAuthority _connection = null!;
    private ConsentRevocations _revocations = null!;
    private ConsentVerifier _verifier = null!;

    private static string Citizen => DemoProviderHarness.Seed.Citizens[0].Iin;

    public async Task InitializeAsync()
    {
        _authority = await DemoConsentAuthority.StartAsync(new DemoConsentAuthorityOptions { Seed = DemoProviderHarness.Seed, TimeProvider = _authorityTime });
        _channel = GrpcChannel.ForAddress(_authority.Address);
        _direct = new ConsentService.ConsentServiceClient(_channel);
        var options = Options.Create(new ConsentOptions { Authority = _authority.Address, RevocationBound = TimeSpan.FromSeconds(10) });
        _connection = new ConsentAuthority(options);
        _revocations = new ConsentRevocations(_connection, options, _gatewayTime, NullLogger<ConsentRevocations>.Instance);
        var subjects = new SubjectHasher(Options.Create(new SecurityOptions { Journal = new JournalOptions { SubjectKey = Convert.ToBase64String(new byte[32]) } }));
        _verifier = new ConsentVerifier(_connection, _revocations, subjects, options, _gatewayTime, NullLogger<ConsentVerifier>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _revocations.StopAsync(CancellationToken.None);
        _revocations.Dispose();
        _verifier.Dispose();
        _connection.Dispose();
        _channel.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task Without_the_revocation_stream_a_grant_is_trusted_for_the_bound_only_then_asked_again()
    {
        var consent = await ConsentAsync(ConsentScope.Utilities);
        Assert.Equal(ConsentVerdict.Granted, (await VerifyAsync(consent.ConsentToken)).Verdict);

        // Revoked at the authority; the gateway does not follow the stream (not started).
        await _direct.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = consent.ConsentId, Iin = Citizen });
        _gatewayTime.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(ConsentVerdict.Granted, FromMemory(consent.ConsentToken).Verdict);

        _gatewayTime.Advance(TimeSpan.FromSeconds(1));
        var asked = await VerifyAsync(consent.ConsentToken);
        Assert.Equal((ConsentVerdict.Refused, "REVOKED"), (asked.Verdict, asked.Refusal));
    }

    [Fact]
    public async Task While_the_stream_is_followed_a_grant_is_trusted_until_a_revocation_arrives_or_it_expires()
    {
        await _revocations.StartAsync(CancellationToken.None);
        await _revocations.FirstFollowed.WaitAsync(TimeSpan.FromSeconds(30));
        var consent = await ConsentAsync(ConsentScope.Utilities, TimeSpan.FromHours(2));
        var other = await ConsentAsync(ConsentScope.Utilities, TimeSpan.FromHours(2));
        Assert.Equal(ConsentVerdict.Granted, (await VerifyAsync(consent.ConsentToken)).Verdict);
        Assert.Equal(ConsentVerdict.Granted, (await VerifyAsync(other.ConsentToken)).Verdict);

        // An hour on: still from memory, no call (the authority's clock did not move, so it would not matter either way).
        _gatewayTime.Advance(TimeSpan.FromHours(1));
        Assert.Equal(ConsentVerdict.Granted, FromMemory(consent.ConsentToken).Verdict);

        // A revocation on the stream is honoured at once, from memory.
        var revokedSeen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _revocations.Revoked += id => revokedSeen.TrySetResult(id);
        await _direct.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = consent.ConsentId, Iin = Citizen });
        Assert.Equal(consent.ConsentId, await revokedSeen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var refused = FromMemory(consent.ConsentToken);
        Assert.Equal((ConsentVerdict.Refused, "REVOKED"), (refused.Verdict, refused.Refusal));

        // Past its expiry, the other is forgotten: the authority is asked again, and refuses it.
        _gatewayTime.Advance(TimeSpan.FromHours(1));
        _authorityTime.Advance(TimeSpan.FromHours(2));
        var expired = await VerifyAsync(other.ConsentToken);
        Assert.Equal((ConsentVerdict.Refused, "EXPIRED"), (expired.Verdict, expired.Refusal));
    }

    [Fact]
    public async Task A_grant_is_remembered_per_citizen_client_purpose_and_scope_and_an_unreachable_authority_is_unknown_not_refused()
    {
        var consent = await ConsentAsync(ConsentScope.Utilities);
        Assert.Equal(ConsentVerdict.Granted, (await VerifyAsync(consent.ConsentToken)).Verdict);
        Assert.Equal("OTHER_PURPOSE", (await _verifier.VerifyAsync(consent.ConsentToken, Citizen, Client, "debt-collection", ConsentScope.Utilities, default)).Refusal);
        Assert.Equal("SCOPE_NOT_GRANTED", (await _verifier.VerifyAsync(consent.ConsentToken, Citizen, Client, Purpose, ConsentScope.LandRegistry, default)).Refusal);
        Assert.Equal("OTHER_CLIENT", (await _verifier.VerifyAsync(consent.ConsentToken, Citizen, "another-desk", Purpose, ConsentScope.Utilities, default)).Refusal);

        await _authority.DisposeAsync();
        Assert.Equal(ConsentVerdict.Granted, FromMemory(consent.ConsentToken).Verdict);
        _gatewayTime.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(ConsentVerdict.Unavailable, (await VerifyAsync(consent.ConsentToken)).Verdict);
        _authority = await DemoConsentAuthority.StartAsync(new DemoConsentAuthorityOptions { Seed = DemoProviderHarness.Seed, TimeProvider = _authorityTime });
    }

    private async Task<ConfirmConsentResponse> ConsentAsync(ConsentScope scope, TimeSpan? term = null)
    {
        var requested = await _direct.RequestConsentAsync(new RequestConsentRequest
        {
            Iin = Citizen,
            ClientId = Client,
            OperatorId = "operator-1",
            Purpose = Purpose,
            Scopes = { scope },
            Term = Duration.FromTimeSpan(term ?? TimeSpan.FromDays(1)),
        });
        return await _direct.ConfirmConsentAsync(new ConfirmConsentRequest { RequestId = requested.RequestId, Code = _authority.Ledger.CodeFor(requested.RequestId)! });
    }

    // Answered at once, from memory: the authority was not asked.
    private ConsentCheck FromMemory(string token)
    {
        var pending = VerifyPending(token);
        Assert.True(pending.IsCompletedSuccessfully, "The verifier asked the authority.");
        return pending.Result;
    }

    private ValueTask<ConsentCheck> VerifyPending(string token) => _verifier.VerifyAsync(token, Citizen, Client, Purpose, ConsentScope.Utilities, default);

    private async Task<ConsentCheck> VerifyAsync(string token) => await VerifyPending(token);
}
