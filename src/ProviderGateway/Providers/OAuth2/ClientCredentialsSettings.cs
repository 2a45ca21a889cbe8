namespace ProviderGateway.Providers.OAuth2;

/// <summary>How a client authenticates at a token endpoint (the RFC 8414 <c>token_endpoint_auth_method</c> names).</summary>
public enum TokenEndpointAuthentication
{
    /// <summary><c>client_secret_basic</c>: the client id and secret in an HTTP Basic authorization header.</summary>
    ClientSecretBasic,

    /// <summary><c>client_secret_post</c>: the client id and secret in the form.</summary>
    ClientSecretPost,

    /// <summary><c>private_key_jwt</c> (RFC 7523): a short-lived JWT signed with the client's private key.</summary>
    PrivateKeyJwt,
}

/// <summary>What a client needs to obtain access tokens by the client credentials grant. Its text form shows no secret.</summary>
/// <param name="TokenEndpoint">The token endpoint.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="Authentication">How the client authenticates.</param>
/// <param name="ClientSecret">The secret (<see cref="TokenEndpointAuthentication.ClientSecretBasic"/> and <c>Post</c>).</param>
/// <param name="PrivateKeyPem">The PEM private key (<see cref="TokenEndpointAuthentication.PrivateKeyJwt"/>).</param>
/// <param name="KeyId">The assertion's <c>kid</c>; optional.</param>
/// <param name="Scope">The scope asked for; optional.</param>
public sealed record ClientCredentialsSettings(
    Uri TokenEndpoint,
    string ClientId,
    TokenEndpointAuthentication Authentication,
    string? ClientSecret,
    string? PrivateKeyPem,
    string? KeyId,
    string? Scope)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"OAuth2 client '{ClientId}' at {TokenEndpoint} ({Authentication}{(Scope is null ? "" : $", scope '{Scope}'")})";
}
