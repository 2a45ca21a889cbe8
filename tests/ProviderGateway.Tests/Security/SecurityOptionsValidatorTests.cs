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

    [Fact]
    public void A_hidden_client_needs_the_day_its_accesses_are_shown_and_a_day_needs_the_flag()
    {
        var options = new SecurityOptions
        {
            Clients =
            [
                Client(0, hidden: true, until: null),
                Client(1, hidden: false, until: new DateOnly(2027, 1, 1)),
                Client(2, hidden: true, until: new DateOnly(2027, 1, 1)),
            ],
        };

        var failures = Failures(options).Where(f => f.StartsWith("Gateway:Security:Clients:", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Gateway:Security:Clients:0:HiddenFromSubjectUntil is required with HiddenFromSubject", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Gateway:Security:Clients:1:HiddenFromSubjectUntil is set but HiddenFromSubject is not", failures[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("   ", true)]
    [InlineData("Karasai district akimat\nfront desk", true)]
    [InlineData("Tab\tseparated", true)]
    [InlineData("x121", true)]
    [InlineData("x120", false)]
    [InlineData("Қарасай ауданы әкімдігі, қабылдау", false)]
    [InlineData(null, false)]
    public void A_display_name_is_1_to_120_characters_without_control_characters(string? displayName, bool refused)
    {
        displayName = displayName switch
        {
            "x121" => new string('x', 121),
            "x120" => new string('x', 120),
            _ => displayName,
        };
        var options = new SecurityOptions { Clients = [Client(0, displayName: displayName)] };

        var failures = Failures(options).Where(f => f.StartsWith("Gateway:Security:Clients:0:DisplayName", StringComparison.Ordinal)).ToList();

        Assert.Equal(refused ? 1 : 0, failures.Count);
        Assert.All(failures, f => Assert.Contains("1 to 120 characters without control characters", f, StringComparison.Ordinal));
    }

    private static ClientOptions Client(int n, bool hidden = false, DateOnly? until = null, string? displayName = null) => new()
    {
        Id = $"office-{n}",
        ApiKeySha256 = [Hash[..^1] + n.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        Permissions = ["utilities"],
        Districts = ["*"],
        HiddenFromSubject = hidden,
        HiddenFromSubjectUntil = until,
        DisplayName = displayName,
    };
}
