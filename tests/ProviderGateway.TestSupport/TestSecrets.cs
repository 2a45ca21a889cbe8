namespace ProviderGateway.TestSupport;

/// <summary>
/// The tests' fixed secrets, in one place: gateways sharing a Redis need the same cache keys, and a journal written by
/// one test run is verified with the same chain key. None of them protects anything real.
/// </summary>
public static class TestSecrets
{
    /// <summary>The cache's key secret: base64 of 32 bytes.</summary>
    public const string KeySecret = "dGVzdC1rZXktc2VjcmV0LW9mLXByb3ZpZGVyZ2F0ZXc=";

    /// <summary>Another key secret, for a gateway that must not read the first one's entries.</summary>
    public const string OtherKeySecret = "YW5vdGhlci1rZXktc2VjcmV0LW9mLXRoZS1nYXRld2E=";

    /// <summary>The cache's AES-256 key: base64 of 32 bytes.</summary>
    public const string EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    /// <summary>Another AES-256 key, for a gateway that must not open the first one's values.</summary>
    public const string OtherEncryptionKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    /// <summary>The client id of the tests' desk.</summary>
    public const string ClientId = "test-desk";

    /// <summary>The API key of the tests' desk client (all permissions, every district, no practical rate limit).</summary>
    public const string ApiKey = "test-desk-key-0123456789abcdef";

    /// <summary>The journal's subject key: base64 of 32 bytes.</summary>
    public const string SubjectKey = "c3ViamVjdC1rZXktb2YtdGhlLWpvdXJuYWwtdGVzdHM=";

    /// <summary>The journal's chain key: base64 of 32 bytes.</summary>
    public const string ChainKey = "Y2hhaW4ta2V5LW9mLXRoZS1qb3VybmFsLXRlc3RzLTE=";

    /// <summary>The page tokens' HMAC key: base64 of 32 bytes.</summary>
    public const string PageTokenKey = "cGFnZS10b2tlbi1rZXktb2YtdGhlLWdhdGV3YXktdGU=";

    /// <summary>The submission store's seal key (AES-256, 32 bytes).</summary>
    public const string SubmissionSealKey = "c3VibWlzc2lvbi1zZWFsLWtleS1vZi10aGUtdGVzdHM=";

    /// <summary>The submission store's citizen key.</summary>
    public const string SubmissionCitizenKey = "c3VibWlzc2lvbi1jaXRpemVuLWtleS1vZi10aGUtdGU=";

    /// <summary>The operator id the tests' desk client sends.</summary>
    public const string OperatorId = "test-operator";

    /// <summary>The purpose of access the tests' desk client sends.</summary>
    public const string Purpose = "integration-test";

    // One signing key per test run, in its own folder.
    private static readonly Lazy<JournalKeyFiles> JournalKeys = new(() =>
        JournalKeyFiles.Create(Path.Combine(TemporaryFolder, $"journal-keys-{Guid.NewGuid():N}"), ChainKey));

    /// <summary>The folder under the temporary folder where the tests keep their files.</summary>
    public static string TemporaryFolder => Path.Combine(Path.GetTempPath(), "providergateway-tests");

    /// <summary>The PEM file of the journal's checkpoint signing key (made once per test run).</summary>
    public static string SigningKeyPath => JournalKeys.Value.SigningKeyPath;

    /// <summary>The PEM file of its public key, for the verifier.</summary>
    public static string PublicKeyPath => JournalKeys.Value.PublicKeyPath;

    /// <summary>A file holding <see cref="ChainKey"/>, for the verifier.</summary>
    public static string ChainKeyFile => JournalKeys.Value.ChainKeyFile;

    /// <summary>A fresh journal path under the temporary folder.</summary>
    public static string NewJournalPath() => Path.Combine(TemporaryFolder, $"journal-{Guid.NewGuid():N}.jsonl");

    /// <summary>SHA-256 of an API key, lowercase hex, as Gateway:Security:Clients:N:ApiKeySha256 takes it.</summary>
    public static string Sha256(string apiKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiKey)));
}
