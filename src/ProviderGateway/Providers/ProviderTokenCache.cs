using Grpc.Core;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Providers;

/// <summary>
/// The access token of one provider's OAuth2 client credentials, shared by every call on its channel: requested on first
/// use, replaced in the background before it expires (calls go on with the current token meanwhile), and dropped when the
/// provider refuses it (<see cref="Forget"/>). One request at a time: callers arriving while a token is being requested
/// wait for that request. A failed request is remembered for <see cref="FailureHold"/>, so a refusing or unreachable token
/// endpoint is asked at most once per hold, not once per call. Tokens and secrets are never logged.
/// </summary>
public sealed class ProviderTokenCache : IDisposable
{
    /// <summary>How long a failed token request answers every call before the endpoint is asked again.</summary>
    public static readonly TimeSpan FailureHold = TimeSpan.FromSeconds(5);

    // Longest a token request may take: a token endpoint that hangs must not hold every call to the provider.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // A token this close to its expiry is not sent: it could expire on the way.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    private readonly ClientCredentialsTokenClient _client;
    private readonly string _providerId;
    private readonly TimeSpan _refreshBefore;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Held? _held;
    private Task<AccessToken>? _requesting;
    private (Status Failure, DateTimeOffset Until)? _failed;

    /// <summary>A cache of <paramref name="providerId"/>'s tokens, obtained through <paramref name="client"/> (disposed with it).</summary>
    public ProviderTokenCache(string providerId, ClientCredentialsTokenClient client, TimeSpan refreshBefore, TimeProvider time, ILogger logger)
    {
        _providerId = providerId;
        _client = client;
        _refreshBefore = refreshBefore;
        _time = time;
        _logger = logger;
    }

    /// <summary>The number of tokens obtained so far (for tests and metrics).</summary>
    public int TokensObtained { get; private set; }

    /// <summary>The token request under way, if any (tests wait for a background refresh with it).</summary>
    internal Task? Requesting
    {
        get
        {
            lock (_gate)
            {
                return _requesting;
            }
        }
    }

    /// <summary>The call credential that puts the current token in <c>authorization: Bearer …</c> on every call.</summary>
    public CallCredentials Credentials => CallCredentials.FromInterceptor(async (context, metadata) =>
    {
        var token = await GetAsync(context.CancellationToken).ConfigureAwait(false);
        metadata.Add("authorization", "Bearer " + token.Value);
    });

    /// <summary>The current token, requesting one when there is none usable.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED: the token endpoint refused or failed (its reason, never a secret).</exception>
    public async ValueTask<AccessToken> GetAsync(CancellationToken cancellationToken)
    {
        Task<AccessToken> requesting;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_held is { } held && now < held.Token.ExpiresAt - ExpiryMargin)
            {
                if (now >= held.RefreshAt)
                {
                    // REFRESH AHEAD: in the background; this call goes with the current token.
                    _ = RequestLocked();
                }

                return held.Token;
            }

            if (_failed is { } failed && now < failed.Until)
            {
                throw new RpcException(failed.Failure);
            }

            requesting = RequestLocked();
        }

        return await requesting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the current token when it was obtained before <paramref name="callStarted"/> (the provider refused it on a call
    /// that started then). True when the call deserves one more try: it carried a token the provider refused, or a newer
    /// token has come meanwhile; false when it carried none (the token endpoint itself failed).
    /// </summary>
    public bool Forget(DateTimeOffset callStarted)
    {
        lock (_gate)
        {
            if (_held is not { } held)
            {
                return _requesting is not null;
            }

            if (held.ObtainedAt <= callStarted)
            {
                _held = null;
            }

            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private Task<AccessToken> RequestLocked() => _requesting ??= Task.Run(RequestAsync);

    private async Task<AccessToken> RequestAsync()
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        try
        {
            var token = await _client.RequestAsync(timeout.Token).ConfigureAwait(false);
            var obtained = _time.GetUtcNow();
            var lifetime = token.ExpiresAt - obtained;
            var ahead = lifetime < 2 * _refreshBefore ? lifetime / 2 : _refreshBefore;
            lock (_gate)
            {
                _held = new Held(token, obtained, token.ExpiresAt - ahead);
                _failed = null;
                _requesting = null;
                TokensObtained++;
            }

            ProvidersLog.TokenObtained(_logger, _providerId, _client.Settings.TokenEndpoint, lifetime.TotalSeconds);
            return token;
        }
        catch (Exception e) when (e is TokenRequestFailedException or OperationCanceledException)
        {
            var reason = e is TokenRequestFailedException refused
                ? refused.Message
                : $"The token endpoint {_client.Settings.TokenEndpoint} did not answer within {RequestTimeout.TotalSeconds:0} s.";
            var failure = new Status(StatusCode.Unauthenticated, $"No access token for provider '{_providerId}': {reason}");
            lock (_gate)
            {
                _failed = (failure, _time.GetUtcNow() + FailureHold);
                _requesting = null;
            }

            ProvidersLog.TokenRequestFailed(_logger, _providerId, reason);
            throw new RpcException(failure);
        }
    }

    private sealed record Held(AccessToken Token, DateTimeOffset ObtainedAt, DateTimeOffset RefreshAt);
}
