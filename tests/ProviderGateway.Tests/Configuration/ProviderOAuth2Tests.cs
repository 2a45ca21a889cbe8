using System.Security.Cryptography;
using ProviderGateway.Configuration;
using Microsoft.Extensions.Options;
using ProviderGateway.Providers;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Tests.Configuration;

public sealed class ProviderOAuth2Tests : IDisposable
{
    private const string Section = "Gateway:Providers:0:OAuth2";
    private const string Endpoint = "https://auth.example.kz/connect/token";
    private readonly List<string> _files = [];

    [Fact]
    public void A_client_secret_gives_client_secret_basic_unless_post_is_asked()
    {
        var basic = new ProviderOAuth2Options { TokenEndpoint = Endpoint, ClientId = "gw", ClientSecret = "s3cret", Scope = "utilities.read utilities.write" };
        var post = new ProviderOAuth2Options { TokenEndpoint = Endpoint, ClientId = "gw", ClientSecretFile = File("s3cret\n"), ClientAuthentication = "client_secret_post" };

        Assert.Empty(ProviderOAuth2.Problems(Section, basic, allowInsecureTransport: false));
        Assert.Empty(ProviderOAuth2.Problems(Section, post, allowInsecureTransport: false));
        Assert.Equal(TokenEndpointAuthentication.ClientSecretBasic, ProviderOAuth2Validator.Read(basic).Authentication);
        Assert.Equal((TokenEndpointAuthentication.ClientSecretPost, "s3cret"), (ProviderOAuth2Validator.Read(post).Authentication, ProviderOAuth2Validator.Read(post).ClientSecret));
    }

    [Fact]
    public void An_RSA_2048_or_EC_P256_key_gives_private_key_jwt()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        foreach (var pem in new[] { rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportRSAPrivateKeyPem(), ec.ExportPkcs8PrivateKeyPem(), ec.ExportECPrivateKeyPem() })
        {
            var options = new ProviderOAuth2Options { TokenEndpoint = Endpoint, ClientId = "gw", PrivateKeyFile = File(pem), KeyId = "k1" };
            Assert.Empty(ProviderOAuth2.Problems(Section, options, allowInsecureTransport: false));
            Assert.True(new ProviderOAuth2Validator().Validate(null, new GatewayOptions { Providers = [options.AsProvider()] }).Succeeded);
            Assert.Equal(TokenEndpointAuthentication.PrivateKeyJwt, ProviderOAuth2Validator.Read(options).Authentication);
        }
    }

    [Theory]
    [InlineData("rsa1024", "at least 2048")]
    [InlineData("p384", "only P-256")]
    [InlineData("certificate", "not a PEM file with a private key")]
    public void A_key_that_cannot_sign_assertions_is_named(string kind, string expected)
    {
        using var rsa = RSA.Create(1024);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = kind switch
        {
            "rsa1024" => rsa.ExportPkcs8PrivateKeyPem(),
            "p384" => p384.ExportPkcs8PrivateKeyPem(),
            _ => "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        };

        var options = new GatewayOptions { Providers = [new ProviderOAuth2Options { TokenEndpoint = Endpoint, ClientId = "gw", PrivateKeyFile = File(pem) }.AsProvider()] };

        var result = new ProviderOAuth2Validator().Validate(null, options);

        Assert.Single(result.Failures ?? [], p => p.StartsWith($"{Section}:PrivateKeyFile", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_named_at_once_and_never_the_secret()
    {
        var options = new ProviderOAuth2Options
        {
            TokenEndpoint = "http://auth.example.kz/token",
            ClientSecret = "s3cret-\u0001-value",
            Scope = "a\\b",
            KeyId = "k1",
            ClientAuthentication = "private_key_jwt",
        };

        var problems = ProviderOAuth2.Problems(Section, options, allowInsecureTransport: false).ToList();

        Assert.Contains(problems, p => p.StartsWith($"{Section}:TokenEndpoint 'http://auth.example.kz/token' is cleartext", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{Section}:ClientId is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{Section}: the client secret must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{Section}:ClientAuthentication 'private_key_jwt' is not one of", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{Section}:Scope", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{Section}:KeyId is set without", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("s3cret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/token", false, true)]
    [InlineData("http://auth.example.kz/token", true, true)]
    [InlineData("https://user:pw@auth.example.kz/token", false, false)]
    [InlineData("https://auth.example.kz/token#x", false, false)]
    [InlineData("ftp://auth.example.kz/token", false, false)]
    public void A_cleartext_token_endpoint_is_only_for_loopback_or_an_insecure_provider(string endpoint, bool insecure, bool accepted)
    {
        var options = new ProviderOAuth2Options { TokenEndpoint = endpoint, ClientId = "gw", ClientSecret = "s" };

        var problems = ProviderOAuth2.Problems(Section, options, insecure).ToList();

        Assert.Equal(accepted, problems.Count == 0);
    }

    public void Dispose() => _files.ForEach(System.IO.File.Delete);

    private string File(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-oauth2-test-{Guid.NewGuid():N}");
        System.IO.File.WriteAllText(path, content);
        _files.Add(path);
        return path;
    }
}

internal static class ProviderOAuth2OptionsExtensions
{
    public static ProviderOptions AsProvider(this ProviderOAuth2Options oauth2) =>
        new() { Id = "alatau-power", Domain = "utilities", Endpoint = "https://alatau.example.kz", OAuth2 = oauth2 };
}
