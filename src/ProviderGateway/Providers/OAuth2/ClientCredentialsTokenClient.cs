using System.Net;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;

namespace ProviderGateway.Providers.OAuth2;

/// <summary>An access token and when it expires. Its text form never shows the token.</summary>
/// <param name="Value">The token, sent as <c>authorization: Bearer {Value}</c>.</param>
/// <param name="ExpiresAt">When the token endpoint said it expires.</param>
public sealed record AccessToken(string Value, DateTimeOffset ExpiresAt)
{
    /// <inheritdoc />
    public override string ToString() => $"access token expiring {ExpiresAt:O}";
}

/// <summary>
/// The token endpoint refused or failed a token request. Its message names the endpoint, the HTTP status and the OAuth2
/// error (RFC 6749 §5.2, such as <c>invalid_client</c>), never a secret or a token.
/// </summary>
public sealed class TokenRequestFailedException(string message, string? error, HttpStatusCode? status, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The OAuth2 error code, such as <c>invalid_client</c>; <c>null</c> when the endpoint gave none (unreachable, not OAuth2).</summary>
    public string? Error { get; } = error;

    /// <summary>The HTTP status of the endpoint's answer; <c>null</c> when there was none.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>
    /// True when the endpoint refused the client (its credentials, scope or request: a configuration problem, or 401/403 from
    /// whatever stands in front of it), not when it failed, was unreachable or answered something that is not OAuth2.
    /// </summary>
    public bool IsRefusal => Error is OidcConstants.TokenErrors.InvalidClient or OidcConstants.TokenErrors.UnauthorizedClient
            or OidcConstants.TokenErrors.InvalidScope or OidcConstants.TokenErrors.InvalidGrant or OidcConstants.TokenErrors.InvalidRequest
            or OidcConstants.TokenErrors.UnsupportedGrantType
        || Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}

/// <summary>
/// Requests access tokens by the OAuth2 client credentials grant (RFC 6749 §4.4) through Duende.IdentityModel, the client
/// authenticated by a secret or a signed assertion (<see cref="ClientAssertionKey"/>). One request per call, no caching:
/// the caller keeps the token (the gateway's <c>ProviderTokenCache</c>, the kit for one run).
/// </summary>
public sealed class ClientCredentialsTokenClient : IDisposable
{
    // A token endpoint that gives no lifetime: assume a short one, so the token is asked again soon.
    private static readonly TimeSpan UnstatedLifetime = TimeSpan.FromMinutes(5);

    private readonly HttpMessageInvoker _http;
    private readonly ClientCredentialsSettings _settings;
    private readonly ClientAssertionKey? _assertionKey;
    private readonly TimeProvider _time;

    /// <summary>A client sending its requests through <paramref name="http"/> (disposed with it).</summary>
    public ClientCredentialsTokenClient(HttpMessageInvoker http, ClientCredentialsSettings settings, TimeProvider time)
    {
        _http = http;
        _settings = settings;
        _time = time;
        _assertionKey = settings.PrivateKeyPem is { } pem ? ClientAssertionKey.Load(pem) : null;
    }

    /// <summary>The settings (for log lines: their text form has no secret).</summary>
    public ClientCredentialsSettings Settings => _settings;

    /// <summary>Requests a new access token.</summary>
    /// <exception cref="TokenRequestFailedException">The endpoint refused, failed or could not be reached.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<AccessToken> RequestAsync(CancellationToken cancellationToken)
    {
        var request = new ClientCredentialsTokenRequest
        {
            Address = _settings.TokenEndpoint.AbsoluteUri,
            ClientId = _settings.ClientId,
            Scope = _settings.Scope,
        };
        switch (_settings.Authentication)
        {
            case TokenEndpointAuthentication.ClientSecretBasic:
                request.ClientSecret = _settings.ClientSecret;
                request.ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader;
                break;
            case TokenEndpointAuthentication.ClientSecretPost:
                request.ClientSecret = _settings.ClientSecret;
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
            default:
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                request.ClientAssertion = new ClientAssertion
                {
                    Type = OidcConstants.ClientAssertionTypes.JwtBearer,
                    Value = _assertionKey!.CreateAssertion(_settings.ClientId, _settings.TokenEndpoint, _settings.KeyId, _time.GetUtcNow()),
                };
                break;
        }

        var requestedAt = _time.GetUtcNow();
        using var response = await _http.RequestClientCredentialsTokenAsync(request, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (response.IsError)
        {
            HttpStatusCode? status = response.HttpStatusCode == 0 ? null : response.HttpStatusCode;

            // The OAuth2 error of a 400 or 401 answer (Duende's Error is the HTTP reason for a 401): RFC 6749 §5.2.
            var error = response.Json is not null && response.TryGet(OidcConstants.TokenResponse.Error) is { Length: > 0 } code ? Sanitise(code) : null;
            var description = response.Json is not null ? response.TryGet(OidcConstants.TokenResponse.ErrorDescription) : null;
            var what = (status, error) switch
            {
                (null, _) => $"could not be reached ({response.Exception?.GetType().Name}: {Sanitise(response.Exception?.Message ?? "")})",
                (_, null) => $"answered HTTP {(int)status}, not an OAuth2 answer",
                _ => $"refused client '{Sanitise(_settings.ClientId)}': HTTP {(int)status}, error '{error}'{(string.IsNullOrEmpty(description) ? "" : $" ({Sanitise(description)})")}",
            };
            throw new TokenRequestFailedException($"The token endpoint {_settings.TokenEndpoint} {what}.", error, status, response.Exception);
        }

        if (string.IsNullOrEmpty(response.AccessToken) || !string.Equals(response.TokenType, OidcConstants.TokenResponse.BearerTokenType, StringComparison.OrdinalIgnoreCase)
            || response.AccessToken.Any(c => c is < ' ' or > '~'))
        {
            throw new TokenRequestFailedException(
                $"The token endpoint {_settings.TokenEndpoint} answered client '{Sanitise(_settings.ClientId)}' without a usable bearer token (token type '{Sanitise(response.TokenType ?? "")}').",
                null,
                response.HttpStatusCode);
        }

        var lifetime = response.ExpiresIn > 0 ? TimeSpan.FromSeconds(response.ExpiresIn) : UnstatedLifetime;
        return new AccessToken(response.AccessToken, requestedAt + lifetime);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _assertionKey?.Dispose();
    }

    // Text from the token endpoint (or about it) for a log line: printable ASCII only (no control, bidirectional or line
    // separator characters), at most 200 characters.
    private static string Sanitise(string text)
    {
        var cleaned = new string([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]).Trim();
        return cleaned.Length <= 200 ? cleaned : cleaned[..200] + "...";
    }
}
