using System.Runtime.CompilerServices;
using Grpc.Core;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Providers;

/// <summary>
/// The access token of one provider's OAuth2 client credentials, shared by every call on its channel: requested on first
/// use, replaced in the background before it expires (calls go on with the current token meanwhile), and replaced when the
/// provider refuses it (<see cref="Forget"/>, at most once per <see cref="FailureHold"/>: a provider that refuses every
/// token must not drive the token endpoint at the desks' call rate). One request at a time: callers arriving while a token
/// is being requested wait for that request. A failed request is remembered for <see cref="FailureHold"/>, so a refusing
/// or unreachable token endpoint is asked at most once per hold, not once per call. A refusal by the token endpoint
/// (<c>invalid_client</c>, 401...) fails calls UNAUTHENTICATED, as the provider's own refusal would; an endpoint that is
/// down or answers nonsense fails them UNAVAILABLE, so that stale answers and the circuit breaker apply. Tokens and secrets
/// are never logged.
/// </summary>
public sealed class ProviderTokenCache : IDisposable
{
    /// <summary>How long a failed token request answers every call, and how long a refused token stays replaced, before the endpoint is asked again.</summary>
    public static readonly TimeSpan FailureHold = TimeSpan.FromSeconds(5);

    // Longest a token request may take: a token endpoint that hangs must not hold every call to the provider.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // A token this close to its expiry is not sent: it could expire on the way (a quarter of a very short token's life).
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    // The generation of the token a call carried, written by the call credential into the box its call set (BearerTokenRetry).
    private static readonly AsyncLocal<StrongBox<long>?> CarriedBox = new();

    private readonly ClientCredentialsTokenClient _client;
    private readonly string _providerId;
    private readonly TimeSpan _refreshBefore;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Held? _held;
    private long _generation;
    private Task<Held>? _requesting;
    private (Status Failure, DateTimeOffset Until)? _failed;
    private DateTimeOffset? _lastReplaced;

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
        var held = await GetHeldAsync(context.CancellationToken).ConfigureAwait(false);
        metadata.Add("authorization", "Bearer " + held.Token.Value);
        CarriedBox.Value?.Value = held.Generation;
    });

    /// <summary>
    /// Starts noting which token the calls started by the caller carry, until it is disposed: the box holds the token's
    /// generation once the call credential ran (0 while the call carried none).
    /// </summary>
    internal static Carried NoteCarried() => new(CarriedBox);

    /// <summary>The current token, requesting one when there is none usable.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED when the token endpoint refused the client; UNAVAILABLE when it failed or could not be reached.</exception>
    public async ValueTask<AccessToken> GetAsync(CancellationToken cancellationToken) =>
        (await GetHeldAsync(cancellationToken).ConfigureAwait(false)).Token;

    /// <summary>
    /// Called when the provider refused the token of generation <paramref name="carried"/> (0: the call carried none). True
    /// when the call deserves one more try: a newer token is there or coming, or the refused one was dropped to be replaced;
    /// false when the call carried no token, or a token was already replaced within <see cref="FailureHold"/> (the refusal stands).
    /// </summary>
    public bool Forget(long carried)
    {
        if (carried == 0)
        {
            return false;
        }

        lock (_gate)
        {
            if (_held is not { } held)
            {
                // Dropped by another refused call: a new token comes, unless the endpoint is failing.
                return _failed is null && _generation >= carried;
            }

            if (held.Generation != carried)
            {
                return true; // a newer token than the refused one
            }

            var now = _time.GetUtcNow();
            if (_lastReplaced is { } last && now - last < FailureHold)
            {
                return false;
            }

            _held = null;
            _lastReplaced = now;
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async ValueTask<Held> GetHeldAsync(CancellationToken cancellationToken)
    {
        Task<Held> requesting;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_held is { } held && now < held.UsableUntil)
            {
                if (now >= held.RefreshAt)
                {
                    // REFRESH AHEAD: in the background; this call goes with the current token.
                    _ = RequestLocked();
                }

                return held;
            }

            if (_failed is { } failed && now < failed.Until)
            {
                throw new RpcException(failed.Failure);
            }

            requesting = RequestLocked();
        }

        return await requesting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<Held> RequestLocked() => _requesting ??= Task.Run(RequestAsync);

    private async Task<Held> RequestAsync()
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        try
        {
            var token = await _client.RequestAsync(timeout.Token).ConfigureAwait(false);
            var obtained = _time.GetUtcNow();
            var lifetime = token.ExpiresAt - obtained;
            var ahead = lifetime < 2 * _refreshBefore ? lifetime / 2 : _refreshBefore;
            var margin = lifetime / 4 < ExpiryMargin ? lifetime / 4 : ExpiryMargin;
            Held held;
            lock (_gate)
            {
                held = new Held(token, ++_generation, token.ExpiresAt - ahead, token.ExpiresAt - margin);
                _held = held;
                _failed = null;
                _requesting = null;
                TokensObtained++;
            }

            ProvidersLog.TokenObtained(_logger, _providerId, _client.Settings.TokenEndpoint, lifetime.TotalSeconds);
            return held;
        }
        catch (Exception e) when (e is TokenRequestFailedException or OperationCanceledException)
        {
            var refused = e is TokenRequestFailedException { IsRefusal: true };
            var reason = e is TokenRequestFailedException failedRequest
                ? failedRequest.Message
                : $"The token endpoint {_client.Settings.TokenEndpoint} did not answer within {RequestTimeout.TotalSeconds:0} s.";
            var failure = new Status(refused ? StatusCode.Unauthenticated : StatusCode.Unavailable, $"No access token for provider '{_providerId}': {reason}");
            lock (_gate)
            {
                _failed = (failure, _time.GetUtcNow() + FailureHold);
                _requesting = null;
            }

            if (refused)
            {
                ProvidersLog.TokenRequestRefused(_logger, _providerId, reason);
            }
            else
            {
                ProvidersLog.TokenRequestFailed(_logger, _providerId, reason);
            }

            throw new RpcException(failure);
        }
    }

    /// <summary>Notes the generation of the token carried by the calls started while it is alive (see <see cref="NoteCarried"/>).</summary>
    internal readonly struct Carried : IDisposable
    {
        private readonly AsyncLocal<StrongBox<long>?> _slot;
        private readonly StrongBox<long>? _previous;

        public Carried(AsyncLocal<StrongBox<long>?> slot)
        {
            _slot = slot;
            _previous = slot.Value;
            Box = new StrongBox<long>(0);
            slot.Value = Box;
        }

        /// <summary>The generation of the token the call carried; 0 until the credential ran, or when it carried none.</summary>
        public StrongBox<long> Box { get; }

        public void Dispose() => _slot.Value = _previous;
    }

    private sealed record Held(AccessToken Token, long Generation, DateTimeOffset RefreshAt, DateTimeOffset UsableUntil);
}
