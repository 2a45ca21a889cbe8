using ProviderGateway.Configuration;
using ProviderGateway.Tests.Configuration;

namespace ProviderGateway.Tests.Security;

public sealed class SecurityOptionsValidatorTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static IEnumerable<string> Failures(SecurityOptions options) => SectionValidation.Failures(options);

    [Fact]
    public void A_complete_configuration_is_valid()
    {
        var signingKey = Path.Combine(Path.GetTempPath(), $"pg-signing-{Guid.NewGuid():N}.pem");
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(signingKey, key.ExportPkcs8PrivateKeyPem());
        }

        var options = new SecurityOptions
        {
            Clients = [new ClientOptions { Id = "karasai-office", ApiKeySha256 = [Hash], Permissions = ["utilities"], Districts = ["1952"] }],
            Journal = new JournalOptions
            {
                Path = "/var/lib/providergateway/journal.jsonl",
                SubjectKey = Convert.ToBase64String(new byte[32]),
                ChainKey = Convert.ToBase64String(new byte[32]),
                SigningKey = signingKey,
            },
            PageTokens = new PageTokenOptions { Key = Convert.ToBase64String(new byte[32]) },
        };

        var failures = Failures(options);
        File.Delete(signingKey);

        Assert.Empty(failures);
    }

    [Fact]
    public void The_journal_needs_a_chain_key_and_a_P256_signing_key_and_sane_checkpoint_and_rotation_settings()
    {
        var notAKey = Path.Combine(Path.GetTempPath(), $"pg-signing-{Guid.NewGuid():N}.pem");
        File.WriteAllText(notAKey, "not a key");
        var options = new SecurityOptions
        {
            Journal = new JournalOptions { ChainKey = "c2hvcnQ=", SigningKey = notAKey, InstanceId = "Gateway One", CheckpointEveryLines = 0, CheckpointInterval = TimeSpan.Zero, RotateBytes = 10 },
        };

        var failures = Failures(options).ToList();
        var missing = Failures(new SecurityOptions()).ToList();
        File.Delete(notAKey);

        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:ChainKey must be base64 of at least 32 bytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith($"Gateway:Security:Journal:SigningKey '{notAKey}' does not hold an ECDSA private key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:InstanceId 'Gateway One'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:CheckpointEveryLines", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:CheckpointInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:RotateBytes", StringComparison.Ordinal));
        Assert.Contains(missing, f => f.StartsWith("Gateway:Security:Journal:ChainKey is required", StringComparison.Ordinal));
        Assert.Contains(missing, f => f.StartsWith("Gateway:Security:Journal:SigningKey is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_with_its_key()
    {
        var options = new SecurityOptions
        {
            Clients =
            [
                new ClientOptions { Id = "Bad Id", ApiKeySha256 = ["the-key-itself"], Permissions = ["electricity"], Districts = ["19x"] },
                new ClientOptions { Id = "no-credentials", Permissions = [], Districts = [], RateLimit = new RateLimitOptions { CallsPerSecond = 0 } },
            ],
            Journal = new JournalOptions { SubjectKey = "c2hvcnQ=" },
            PageTokens = new PageTokenOptions { PreviousKey = "c2hvcnQ=", Lifetime = TimeSpan.FromDays(2) },
        };

        var failures = Failures(options).ToList();

        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:0:Id 'Bad Id'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:0:ApiKeySha256:0 must be a SHA-256 hash", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:0:Permissions has 'electricity'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:0:Districts has '19x'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:1 has neither ApiKeySha256 nor CertificateSha256", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:1:Permissions is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:1:RateLimit:CallsPerSecond", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:Path is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Journal:SubjectKey must be base64 of at least 32 bytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:PageTokens:Key is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:PageTokens:PreviousKey must be base64", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:PageTokens:Lifetime must be", StringComparison.Ordinal));
    }

    [Fact]
    public void No_clients_means_no_start()
    {
        Assert.Contains(Failures(new SecurityOptions()), f => f.StartsWith("Gateway:Security:Clients is empty", StringComparison.Ordinal));
    }
}
