using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Providers;

/// <summary>
/// Checks at start-up that each provider's OAuth2 <see cref="ProviderOAuth2Options.PrivateKeyFile"/> holds a key that can
/// sign client assertions (<see cref="ClientAssertionKey"/>: RSA of 2048 bits or more, or EC P-256). The plain rules of the
/// section are <see cref="ProviderOAuth2"/>'s.
/// </summary>
public sealed class ProviderOAuth2Validator : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Providers.Count; i++)
        {
            if (options.Providers[i].OAuth2?.PrivateKeyFile is { } keyFile && File.Exists(keyFile)
                && ClientAssertionKey.Problem(File.ReadAllText(keyFile)) is { } problem)
            {
                failures.Add($"Gateway:Providers:{i}:OAuth2:PrivateKeyFile '{keyFile}': {problem}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The token endpoint settings of validated <paramref name="options"/>, the secret or key read from its file.</summary>
    public static ClientCredentialsSettings Read(ProviderOAuth2Options options) => new(
        new Uri(options.TokenEndpoint!, UriKind.Absolute),
        options.ClientId!,
        ProviderOAuth2.AuthenticationMethod(options) switch
        {
            "private_key_jwt" => TokenEndpointAuthentication.PrivateKeyJwt,
            "client_secret_post" => TokenEndpointAuthentication.ClientSecretPost,
            _ => TokenEndpointAuthentication.ClientSecretBasic,
        },
        options.PrivateKeyFile is null ? ProviderOAuth2.ReadSecret(options) : null,
        options.PrivateKeyFile is { } keyFile ? File.ReadAllText(keyFile) : null,
        options.KeyId,
        string.IsNullOrWhiteSpace(options.Scope) ? null : options.Scope.Trim());
}
