namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>Fixed cache secrets for the tests (instances sharing a Redis need the same ones).</summary>
public static class TestSecrets
{
    /// <summary>A key secret: base64 of 32 bytes.</summary>
    public const string KeySecret = "dGVzdC1rZXktc2VjcmV0LW9mLXByb3ZpZGVyZ2F0ZXc=";

    /// <summary>An AES-256 key: base64 of 32 bytes.</summary>
    public const string EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    /// <summary>The API key of the tests' desk client (all permissions, every district, no practical rate limit).</summary>
    public const string ApiKey = "test-desk-key-0123456789abcdef";

    /// <summary>The journal's subject key: base64 of 32 bytes.</summary>
    public const string SubjectKey = "c3ViamVjdC1rZXktb2YtdGhlLWpvdXJuYWwtdGVzdHM=";

    /// <summary>The journal's chain key: base64 of 32 bytes.</summary>
    public const string ChainKey = "Y2hhaW4ta2V5LW9mLXRoZS1qb3VybmFsLXRlc3RzLTE=";

    private static readonly Lazy<(string Private, string Public)> JournalSigningKeys = new(() =>
    {
        // One P-256 key per test run, in files readable by this user only (as tools/journal/new-journal-keys.sh makes them).
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "providergateway-tests", $"journal-keys-{Guid.NewGuid():N}")).FullName;
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var (privatePem, publicPem) = (Path.Combine(folder, "signing-key.pem"), Path.Combine(folder, "signing-key.pub.pem"));
        File.WriteAllText(privatePem, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privatePem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(publicPem, key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(folder, "chain-key.base64"), ChainKey);
        return (privatePem, publicPem);
    });

    /// <summary>The PEM file of the journal's checkpoint signing key (made once per test run).</summary>
    public static string SigningKeyPath => JournalSigningKeys.Value.Private;

    /// <summary>The PEM file of its public key, for the verifier.</summary>
    public static string PublicKeyPath => JournalSigningKeys.Value.Public;

    /// <summary>A file holding <see cref="ChainKey"/>, for the verifier.</summary>
    public static string ChainKeyFile => Path.Combine(Path.GetDirectoryName(SigningKeyPath)!, "chain-key.base64");

    /// <summary>The page tokens' HMAC key: base64 of 32 bytes.</summary>
    public const string PageTokenKey = "cGFnZS10b2tlbi1rZXktb2YtdGhlLWdhdGV3YXktdGU=";

    /// <summary>The operator id the tests' desk client sends.</summary>
    public const string OperatorId = "test-operator";

    /// <summary>The purpose of access the tests' desk client sends.</summary>
    public const string Purpose = "integration-test";

    /// <summary>A fresh journal path under the temporary folder.</summary>
    public static string NewJournalPath() => Path.Combine(Path.GetTempPath(), "providergateway-tests", $"journal-{Guid.NewGuid():N}.jsonl");

    /// <summary>The settings of a desk client holding <see cref="ApiKey"/>, plus the journal's, as configuration keys.</summary>
    public static IEnumerable<(string Key, string Value)> Security(string journalPath) =>
    [
        ("Gateway:Security:Clients:0:Id", "test-desk"),
        ("Gateway:Security:Clients:0:ApiKeySha256:0", ProviderGateway.Security.GatewayClients.HashKey(ApiKey)),
        ("Gateway:Security:Clients:0:Permissions:0", "*"),
        ("Gateway:Security:Clients:0:Districts:0", "*"),
        ("Gateway:Security:Clients:0:RateLimit:CallsPerSecond", "1000000"),
        ("Gateway:Security:Clients:0:RateLimit:Burst", "1000000"),
        ("Gateway:Security:Journal:Path", journalPath),
        ("Gateway:Security:Journal:SubjectKey", SubjectKey),
        ("Gateway:Security:Journal:ChainKey", ChainKey),
        ("Gateway:Security:Journal:SigningKey", SigningKeyPath),
        ("Gateway:Security:PageTokens:Key", PageTokenKey),
    ];
}
