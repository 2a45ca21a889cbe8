using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using Microsoft.Extensions.Options;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;
using static ProviderGateway.FunctionalTests.ProviderCredentialsTests;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// The gateway's OAuth2 client credentials towards a provider behind a token endpoint (a real <see cref="DemoTokenServer"/>
/// on loopback): tokens obtained with a client secret (HTTP Basic or in the form) or a signed assertion
/// (private_key_jwt), kept and sent as bearer tokens; a refused token replaced once; a wrong secret or a refusing
/// provider answered UNAVAILABLE, PROVIDER_AUTHENTICATION_FAILED, with a warning that holds no secret.
/// </summary>
public sealed class ProviderOAuth2Tests
{
    private const string ClientId = "provider-gateway";
    private const string Secret = "oauth2-secret-5c1e0a9d-right";
    private const string WrongSecret = "oauth2-secret-77aa01f3-wrong";
    private const string Scope = "utilities.read";

    [Fact]
    public async Task A_provider_requiring_bearer_tokens_is_served_with_a_client_secret_in_either_style_or_a_signed_assertion()
    {
        // Arrange
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret, Scopes = [Scope] }, new DemoTokenClient { ClientId = "gateway-with-key", PublicKeyPem = key.ExportSubjectPublicKeyInfoPem() });
        await using var provider = await StartProviderAsync(tokens);
        using var files = new TempFiles();
        var secretFile = files.Write(Secret + "\n");
        var keyFile = files.Write(key.ExportPkcs8PrivateKeyPem());

        await using var basic = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecret", Secret), ("Scope", Scope)));
        await using var post = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecretFile", secretFile), ("ClientAuthentication", "client_secret_post")));
        await using var assertion = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientId", "gateway-with-key"), ("PrivateKeyFile", keyFile), ("KeyId", "gateway-2026")));

        // Act: two calls each, the second with the token the first obtained.
        var answers = new List<string>();
        foreach (var gateway in new[] { basic, post, assertion })
        {
            answers.Add((await BalanceAsync(gateway)).Balance.AccountNumber);
            answers.Add((await BalanceAsync(gateway)).Balance.AccountNumber);
        }

        // Assert: one token per gateway (its health probes share it), none refused.
        Assert.All(answers, a => Assert.Equal(Account.AccountNumber, a));
        Assert.Equal(3, tokens.Tokens.Issued);
        Assert.Equal(0, tokens.Tokens.RequestsRefused);
        Assert.Equal(0, provider.CallsRefusedForToken);
    }

    [Fact]
    public async Task A_token_the_provider_no_longer_accepts_is_replaced_once_and_the_call_served()
    {
        // Arrange
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret });
        await using var provider = await StartProviderAsync(tokens);
        await using var gateway = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecret", Secret)));
        await BalanceAsync(gateway);

        // Act: the authorization server forgets every token (a key rotation); the gateway's is refused on its next call.
        tokens.Tokens.RevokeAll();
        var answer = await BalanceAsync(gateway);

        // Assert
        Assert.Equal(Account.AccountNumber, answer.Balance.AccountNumber);
        Assert.Equal(2, tokens.Tokens.Issued);
        Assert.Equal(1, provider.CallsRefusedForToken);
    }

    [Fact]
    public async Task After_a_revocation_every_concurrent_call_is_served_with_one_new_token()
    {
        // Arrange
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret });
        await using var provider = await StartProviderAsync(tokens);
        await using var gateway = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecret", Secret)));
        await BalanceAsync(gateway);
        var issuedBefore = tokens.Tokens.Issued;

        // Act
        tokens.Tokens.RevokeAll();
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => BalanceAsync(gateway)));

        // Assert
        Assert.All(answers, a => Assert.Equal(Account.AccountNumber, a.Balance.AccountNumber));
        Assert.Equal(issuedBefore + 1, tokens.Tokens.Issued);
    }

    [Fact]
    public async Task A_token_endpoint_that_is_down_makes_the_provider_UNAVAILABLE_not_an_authentication_failure()
    {
        // Arrange
        var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret });
        await using var provider = await StartProviderAsync(tokens);
        var endpoint = tokens.TokenEndpoint;
        await tokens.DisposeAsync();
        await using var gateway = await StartGatewayAsync(provider, new GatewaySettings
        {
            ["Gateway:Providers:0:OAuth2:TokenEndpoint"] = endpoint.AbsoluteUri,
            ["Gateway:Providers:0:OAuth2:ClientId"] = ClientId,
            ["Gateway:Providers:0:OAuth2:ClientSecret"] = Secret,
        });

        // Act
        var failure = await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway));

        // Assert
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal(ErrorReasons.ProviderUnavailable, failure.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task A_wrong_secret_is_an_authentication_failure_naming_the_provider_with_a_warning_that_holds_no_secret()
    {
        // Arrange
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret });
        await using var provider = await StartProviderAsync(tokens);
        var logs = new RecordingLogs();
        await using var gateway = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecret", WrongSecret)), logs);

        // Act
        var first = await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway));
        var second = await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway));

        // Assert: no call reached the provider without a token (how long a failure is held: ProviderTokenCacheTests).
        AssertAuthenticationFailure(first);
        AssertAuthenticationFailure(second);
        Assert.True(tokens.Tokens.RequestsRefused >= 1);
        Assert.Equal(0, tokens.Tokens.Issued);
        Assert.Equal(0, provider.Calls.Total);
        Assert.Equal(0, provider.CallsRefusedForToken);
        Assert.Contains(logs.Lines, l => l.Contains($"Provider {ProviderId}: no access token", StringComparison.Ordinal) && l.Contains("invalid_client", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(WrongSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provider_refusing_every_token_is_an_authentication_failure_and_drives_no_token_storm()
    {
        // Arrange: the provider requires a scope the gateway's tokens do not carry.
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret, Scopes = ["utilities.read", "utilities.write"] });
        await using var provider = await StartProviderAsync(tokens, requiredScope: "utilities.write");
        var logs = new RecordingLogs();
        await using var gateway = await StartGatewayAsync(provider, OAuth2(tokens, ("ClientSecret", Secret), ("Scope", "utilities.read")), logs);

        // Act: ten desk calls, well within one failure hold (5 s).
        var refusals = new List<RpcException>();
        for (var i = 0; i < 10; i++)
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway)));
        }

        // Assert: the first refusal (a desk call's, or the gateway's health probe's) replaced the token once, that call retried
        // with the new one; every later refusal stands.
        Assert.All(refusals, AssertAuthenticationFailure);
        Assert.InRange(provider.CallsRefusedForToken, 10, 11);
        Assert.Equal(2, tokens.Tokens.Issued);
        Assert.Contains(logs.Lines, l => l.Contains($"Provider {ProviderId} rejected the gateway's credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gateway_whose_OAuth2_settings_are_wrong_names_every_problem_at_start_up_and_no_secret()
    {
        // Arrange
        await using var tokens = await StartTokenServerAsync(new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret });
        await using var provider = await StartProviderAsync(tokens);
        var settings = new GatewaySettings
        {
            ["Gateway:Providers:0:OAuth2:TokenEndpoint"] = "http://auth.example.kz/connect/token",
            ["Gateway:Providers:0:OAuth2:ClientSecret"] = Secret,
            ["Gateway:Providers:0:OAuth2:PrivateKeyFile"] = "/nonexistent/key.pem",
            ["Gateway:Providers:0:OAuth2:Scope"] = "utilities\"read",
            ["Gateway:Providers:0:OAuth2:RefreshBeforeExpiry"] = "00:00:05",
        };

        // Act
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartGatewayAsync(provider, settings));

        // Assert
        var failures = string.Join("\n", error.Failures);
        Assert.Contains("Gateway:Providers:0:OAuth2:TokenEndpoint 'http://auth.example.kz/connect/token' is cleartext", failures, StringComparison.Ordinal);
        Assert.Contains("Gateway:Providers:0:OAuth2:ClientId is required", failures, StringComparison.Ordinal);
        Assert.Contains("Gateway:Providers:0:OAuth2: set exactly one of", failures, StringComparison.Ordinal);
        Assert.Contains("Gateway:Providers:0:OAuth2:Scope", failures, StringComparison.Ordinal);
        Assert.Contains("RefreshBeforeExpiry", failures, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, failures, StringComparison.Ordinal);
    }

    private static Task<DemoTokenServer> StartTokenServerAsync(params DemoTokenClient[] clients) =>
        DemoTokenServer.StartAsync(new DemoTokenServerOptions { Clients = clients });

    private static Task<DemoProviderServer> StartProviderAsync(DemoTokenServer tokens, string? requiredScope = null) =>
        DemoProviderServer.StartAsync(new DemoProviderServerOptions
        {
            ProviderId = ProviderId,
            Seed = DemoData.Seed,
            RequiredBearerTokens = tokens.Tokens,
            RequiredScope = requiredScope,
        });

    private static GatewaySettings OAuth2(DemoTokenServer tokens, params (string Name, string Value)[] values)
    {
        var settings = new GatewaySettings
        {
            ["Gateway:Providers:0:OAuth2:TokenEndpoint"] = tokens.TokenEndpoint.AbsoluteUri,
            ["Gateway:Providers:0:OAuth2:ClientId"] = ClientId,
        };
        foreach (var (name, value) in values)
        {
            settings[$"Gateway:Providers:0:OAuth2:{name}"] = value;
        }

        return settings;
    }

    private sealed class TempFiles : IDisposable
    {
        private readonly List<string> _paths = [];

        public string Write(string content)
        {
            var path = Path.Combine(Path.GetTempPath(), $"pg-oauth2-{Guid.NewGuid():N}");
            File.WriteAllText(path, content);
            _paths.Add(path);
            return path;
        }

        public void Dispose() => _paths.ForEach(File.Delete);
    }
}
