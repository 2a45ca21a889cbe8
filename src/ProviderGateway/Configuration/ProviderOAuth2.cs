namespace ProviderGateway.Configuration;

/// <summary>
/// The rules of a provider's OAuth2 client credentials (<see cref="ProviderOAuth2Options"/>), and reading its secret. Whether
/// a private key file holds a key that can sign assertions is <c>Providers/ProviderOAuth2Validator</c>'s.
/// </summary>
public static class ProviderOAuth2
{
    /// <summary>Every problem of <paramref name="options"/>, named under <paramref name="section"/>; empty when none. Never a secret.</summary>
    /// <param name="section">The options' configuration key, for example <c>Gateway:Providers:0:OAuth2</c>.</param>
    /// <param name="options">The options.</param>
    /// <param name="allowInsecureTransport">The provider's AllowInsecureTransport: whether an http:// token endpoint off loopback is accepted.</param>
    public static IEnumerable<string> Problems(string section, ProviderOAuth2Options options, bool allowInsecureTransport)
    {
        if (string.IsNullOrWhiteSpace(options.TokenEndpoint))
        {
            yield return $"{section}:TokenEndpoint is required: the provider's OAuth2 token endpoint, such as https://auth.example.kz/connect/token.";
        }
        else if (!Uri.TryCreate(options.TokenEndpoint, UriKind.Absolute, out var endpoint)
            || endpoint.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(endpoint.Fragment)
            || !string.IsNullOrEmpty(endpoint.UserInfo))
        {
            // Never quoted when it holds credentials (user:password@host).
            var shown = options.TokenEndpoint.Contains('@', StringComparison.Ordinal) ? "(not shown: it holds credentials)" : $"'{options.TokenEndpoint}'";
            yield return $"{section}:TokenEndpoint {shown} must be an absolute https:// URI without credentials or fragment, such as https://auth.example.kz/connect/token.";
        }
        else if (endpoint.Scheme == "http" && !endpoint.IsLoopback && !allowInsecureTransport)
        {
            yield return $"{section}:TokenEndpoint '{options.TokenEndpoint}' is cleartext http:// to a host that is not loopback: the client secret and the tokens " +
                "would cross the network unencrypted. Use https://, or set the provider's AllowInsecureTransport to true.";
        }

        if (string.IsNullOrEmpty(options.ClientId))
        {
            yield return $"{section}:ClientId is required: the gateway's client id at the token endpoint.";
        }
        else if (options.ClientId.Any(c => c is < ' ' or > '~'))
        {
            yield return $"{section}:ClientId must be printable ASCII.";
        }

        var given = new[] { options.ClientSecret, options.ClientSecretFile, options.PrivateKeyFile }.Count(v => v is not null);
        if (given != 1)
        {
            yield return $"{section}: set exactly one of {section}:ClientSecret, {section}:ClientSecretFile (a client secret) and {section}:PrivateKeyFile (private_key_jwt).";
        }
        else if (options.ClientSecretFile is { } secretFile && !File.Exists(secretFile))
        {
            yield return $"{section}:ClientSecretFile '{secretFile}' does not exist.";
        }
        else if (options.PrivateKeyFile is { } keyFile)
        {
            if (!File.Exists(keyFile))
            {
                yield return $"{section}:PrivateKeyFile '{keyFile}' does not exist.";
            }
        }
        else if (ReadSecret(options) is var secret && (secret.Length == 0 || secret.Any(c => c is < ' ' or > '~')))
        {
            // Never the secret itself in the message.
            yield return $"{section}: the client secret must be 1 or more printable ASCII characters{(options.ClientSecretFile is null ? "" : $", in {options.ClientSecretFile}")}.";
        }

        if (options.ClientAuthentication is { } method && AuthenticationMethod(options) is null)
        {
            yield return options.PrivateKeyFile is null
                ? $"{section}:ClientAuthentication '{method}' is not one of client_secret_basic (the default) and client_secret_post."
                : $"{section}:ClientAuthentication '{method}' does not fit a PrivateKeyFile: it is private_key_jwt (or leave it unset).";
        }

        if (options.Scope is { } scope && !IsValidScope(scope))
        {
            yield return $"{section}:Scope '{scope}' is not a space-separated list of scope tokens (RFC 6749 §3.3: printable ASCII without '\"' or '\\').";
        }

        if (options.KeyId is not null && options.PrivateKeyFile is null)
        {
            yield return $"{section}:KeyId is set without {section}:PrivateKeyFile: only a client assertion has a key id.";
        }

        if (options.KeyId is { } keyId && (keyId.Length == 0 || keyId.Any(c => c is < ' ' or > '~')))
        {
            yield return $"{section}:KeyId must be 1 or more printable ASCII characters.";
        }
    }

    /// <summary>The client secret of validated <paramref name="options"/> (a secret file's content without surrounding whitespace).</summary>
    public static string ReadSecret(ProviderOAuth2Options options) =>
        options.ClientSecretFile is { } file ? File.ReadAllText(file).Trim() : options.ClientSecret ?? "";

    /// <summary>
    /// How the client authenticates, by its RFC 8414 name: <c>private_key_jwt</c> with a private key, otherwise
    /// <c>client_secret_basic</c> (the default) or <c>client_secret_post</c>; <c>null</c> when the options ask for one that does not fit.
    /// </summary>
    public static string? AuthenticationMethod(ProviderOAuth2Options options) =>
        (options.PrivateKeyFile, options.ClientAuthentication) switch
        {
            (not null, null or "private_key_jwt") => "private_key_jwt",
            (not null, _) => null,
            (null, null or "client_secret_basic") => "client_secret_basic",
            (null, "client_secret_post") => "client_secret_post",
            _ => null,
        };

    /// <summary>True when <paramref name="scope"/> is a space-separated list of scope tokens (RFC 6749 §3.3).</summary>
    public static bool IsValidScope(string scope) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } tokens
        && tokens.All(t => t.All(c => c is '!' or (>= '#' and <= '[') or (>= ']' and <= '~')));
}
