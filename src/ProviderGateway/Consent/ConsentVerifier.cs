using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Consent.V1;

namespace ProviderGateway.Consent;

/// <summary>What the consent authority (or the gateway's memory of it) said about one access.</summary>
/// <param name="Verdict">Granted, refused, or not known (the authority did not answer).</param>
/// <param name="ConsentId">The consent's id, when granted.</param>
/// <param name="ExpireTime">When the consent ends, when granted.</param>
/// <param name="Refusal">Why it was refused: a <see cref="RefusalReason"/> name without its prefix (<c>EXPIRED</c>); empty when granted.</param>
public readonly record struct ConsentCheck(ConsentVerdict Verdict, string ConsentId, DateTimeOffset ExpireTime, string Refusal)
{
    /// <summary>A refusal for <paramref name="reason"/>.</summary>
    public static ConsentCheck Refused(string reason) => new(ConsentVerdict.Refused, "", default, reason);
}

/// <summary>The verdict of a <see cref="ConsentCheck"/>.</summary>
public enum ConsentVerdict
{
    /// <summary>The consent grants the access.</summary>
    Granted,

    /// <summary>It does not (or there is none).</summary>
    Refused,

    /// <summary>The authority did not answer: nothing is known, and nothing is read.</summary>
    Unavailable,
}

/// <summary>
/// Verifies a consent token for one access (citizen, client, purpose, scope) with the consent authority, and remembers a
/// grant until the consent expires or is revoked, whichever comes first. A remembered grant is used without asking the
/// authority again while <see cref="ConsentRevocations"/> has followed the authority's revocations without a break since
/// before it was verified; otherwise for at most <see cref="ConsentOptions.RevocationBound"/> after its verification.
/// Neither the token nor the IIN is kept: a grant is found by SHA-256 of the token and the journal's HMAC of the IIN.
/// Refusals are not remembered (a citizen may consent a minute later).
/// </summary>
public sealed class ConsentVerifier : IDisposable
{
    private readonly ConsentAuthority _authority;
    private readonly ConsentRevocations _revocations;
    private readonly SubjectHasher _subjects;
    private readonly TimeProvider _time;
    private readonly ILogger<ConsentVerifier> _logger;
    private readonly TimeSpan _bound;
    private readonly TimeSpan _timeout;
    private readonly MemoryCache _grants;

    /// <summary>Creates the verifier.</summary>
    public ConsentVerifier(
        ConsentAuthority authority, ConsentRevocations revocations, SubjectHasher subjects, IOptions<ConsentOptions> options, TimeProvider time, ILogger<ConsentVerifier> logger)
    {
        _authority = authority;
        _revocations = revocations;
        _subjects = subjects;
        _time = time;
        _logger = logger;
        _bound = options.Value.RevocationBound;
        _timeout = options.Value.VerifyTimeout;
        // On the gateway's clock: a consent's expiry is the authority's time, compared with the gateway's.
        _grants = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.MaxCachedGrants, Clock = new Clock(time) });
    }

    private sealed class Clock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }

    private sealed record Grant(string ConsentId, DateTimeOffset ExpireTime, DateTimeOffset VerifiedAt);

    /// <summary>
    /// Whether <paramref name="token"/> grants <paramref name="clientId"/> access to <paramref name="scope"/> of the
    /// citizen <paramref name="iin"/> (validated) for <paramref name="purpose"/>. Completes at once from memory.
    /// </summary>
    public ValueTask<ConsentCheck> VerifyAsync(string token, string iin, string clientId, string purpose, ConsentScope scope, CancellationToken cancellationToken)
    {
        var key = KeyOf(token, iin, clientId, purpose, scope);
        if (_grants.Get(key) is Grant grant)
        {
            var now = _time.GetUtcNow();
            if (_revocations.IsRevoked(grant.ConsentId))
            {
                _grants.Remove(key);
                return ValueTask.FromResult(ConsentCheck.Refused(nameof(RefusalReason.Revoked).ToUpperInvariant()));
            }

            if (now >= grant.ExpireTime)
            {
                _grants.Remove(key);
                return ValueTask.FromResult(ConsentCheck.Refused(nameof(RefusalReason.Expired).ToUpperInvariant()));
            }

            if (Trusted(grant, now))
            {
                return ValueTask.FromResult(new ConsentCheck(ConsentVerdict.Granted, grant.ConsentId, grant.ExpireTime, ""));
            }
        }

        return new ValueTask<ConsentCheck>(AskAsync(key, token, iin, clientId, purpose, scope, cancellationToken));
    }

    /// <inheritdoc />
    public void Dispose() => _grants.Dispose();

    // Followed without a break since before the verification: a revocation after it would have arrived (and been seen
    // by IsRevoked above). Otherwise only a recent verification is good.
    private bool Trusted(Grant grant, DateTimeOffset now) =>
        (_revocations.FollowingSince is { } since && since <= grant.VerifiedAt) || now - grant.VerifiedAt < _bound;

    private async Task<ConsentCheck> AskAsync(string key, string token, string iin, string clientId, string purpose, ConsentScope scope, CancellationToken cancellationToken)
    {
        var asked = _time.GetUtcNow();
        VerifyConsentResponse answer;
        try
        {
            answer = await _authority.Client.VerifyConsentAsync(
                new VerifyConsentRequest { ConsentToken = token, Iin = iin, ClientId = clientId, Purpose = purpose, Scope = scope },
                // grpc-dotnet measures a deadline on the system clock, whatever TimeProvider the gateway runs on.
                deadline: DateTime.UtcNow + _timeout,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            ConsentLog.VerifyFailed(_logger, ex.StatusCode.ToString(), ex.StatusCode == StatusCode.InvalidArgument ? ex : null);
            return new ConsentCheck(ConsentVerdict.Unavailable, "", default, "");
        }

        if (!answer.Granted)
        {
            var reason = answer.Reason == RefusalReason.Unspecified ? "UNKNOWN_TOKEN" : ReasonName(answer.Reason);
            return ConsentCheck.Refused(reason);
        }

        var expires = answer.ExpireTime?.ToDateTimeOffset() ?? asked;
        // A revocation that arrived while the authority was answering (the answer was computed before it).
        if (_revocations.IsRevoked(answer.ConsentId))
        {
            return ConsentCheck.Refused(ReasonName(RefusalReason.Revoked));
        }

        if (expires <= _time.GetUtcNow())
        {
            return ConsentCheck.Refused(ReasonName(RefusalReason.Expired));
        }

        // Verified as of when it was asked: a revocation the stream brings later than that is seen.
        _grants.Set(key, new Grant(answer.ConsentId, expires, asked), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        return new ConsentCheck(ConsentVerdict.Granted, answer.ConsentId, expires, "");
    }

    /// <summary>A refusal reason's name without its prefix: <c>EXPIRED</c>.</summary>
    public static string ReasonName(RefusalReason reason) =>
        ConsentReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(RefusalReason)).FindValueByNumber((int)reason)?.Name.Replace("REFUSAL_REASON_", "", StringComparison.Ordinal) ?? "UNKNOWN_TOKEN";

    private string KeyOf(string token, string iin, string clientId, string purpose, ConsentScope scope)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return string.Join('|', Convert.ToHexStringLower(hash), _subjects.Hash(iin), clientId, purpose, ((int)scope).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
