using System.Security.Cryptography.X509Certificates;
using ProviderGateway.Conformance.Running;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>
/// The kit reaches a provider with the same credentials the gateway sends (README, <c>Gateway:Providers:N</c>): OAuth2
/// client credentials from a real demo token endpoint, given on its command line, and a client certificate for mutual TLS.
/// A provider that passes the kit with them is one the gateway can be configured to reach.
/// </summary>
public sealed class KitCredentialsTests
{
    private const string ClientId = "conformance-kit";
    private const string Secret = "kit-secret-3c9b1e";

    [Fact]
    public async Task The_kit_passes_a_provider_requiring_bearer_tokens_with_the_OAuth2_options_and_fails_it_with_a_wrong_secret()
    {
        // Arrange
        await using var tokens = await DemoTokenServer.StartAsync(new DemoTokenServerOptions { Clients = [new DemoTokenClient { ClientId = ClientId, ClientSecret = Secret }] });
        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "land-registry", Seed = DemoData.Seed, RequiredBearerTokens = tokens.Tokens });
        var folder = Directory.CreateTempSubdirectory("pg-kit-oauth2-");
        try
        {
            var secretFile = Path.Combine(folder.FullName, "secret");
            var wrongFile = Path.Combine(folder.FullName, "wrong");
            await File.WriteAllTextAsync(secretFile, Secret + "\n");
            await File.WriteAllTextAsync(wrongFile, "not-the-secret\n");
            string[] common = ["--target", provider.Address.Authority, "--domain", "land_registry", "--oauth2-token-endpoint", tokens.TokenEndpoint.AbsoluteUri, "--oauth2-client-id", ClientId];

            // Act
            var pass = await ScriptRunner.RunProgramAsync("dotnet", [Repository.ConformanceKit, .. common, "--oauth2-client-secret-file", secretFile, "--junit", Path.Combine(folder.FullName, "pass.xml")]);
            var fail = await ScriptRunner.RunProgramAsync("dotnet", [Repository.ConformanceKit, .. common, "--oauth2-client-secret-file", wrongFile, "--junit", Path.Combine(folder.FullName, "fail.xml")]);

            // Assert
            Assert.True(pass.ExitCode == 0, pass.Output + pass.Error);
            Assert.True(tokens.Tokens.Issued >= 1);
            Assert.Equal(0, provider.CallsRefusedForToken);
            Assert.Equal(1, fail.ExitCode);
            Assert.Contains("invalid_client", fail.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, pass.Output + pass.Error + fail.Output + fail.Error, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_kit_passes_a_provider_requiring_mutual_TLS_with_the_client_certificate_and_fails_without()
    {
        // Arrange
        using var certificates = TestCertificates.Create();
        using var serverCertificate = certificates.IssueServer("1.3.6.1.5.5.7.3.1");
        using var clientCertificate = certificates.IssueClient("conformance-kit");
        var certificateFile = Path.Combine(Path.GetTempPath(), $"pg-kit-client-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificateFile, clientCertificate.ExportCertificatePem() + "\n" + clientCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        try
        {
            await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions
            {
                ProviderId = "land-registry",
                Seed = DemoData.Seed,
                Url = "https://127.0.0.1:0",
                ServerCertificate = serverCertificate,
                ClientCertificateAuthority = certificates.Authority,
            });
            KitOptions Options(string? certificate) => new()
            {
                Target = provider.Address,
                Domain = ContractDomain.LandRegistry,
                CitizenIin = KitOptions.DefaultCitizenIin(ContractDomain.LandRegistry),
                CaCertificate = certificates.AuthorityPemFile,
                ClientCertificate = certificate,
            };

            // Act
            var with = await ConformanceRunner.RunAsync(Options(certificateFile));
            var without = await ConformanceRunner.RunAsync(Options(null));

            // Assert
            Assert.True(!with.Failures.Any(), ConformanceKitTests.Describe(with));
            Assert.NotEmpty(without.Failures);
        }
        finally
        {
            File.Delete(certificateFile);
        }
    }
}
