namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>Fixed cache secrets for the tests (instances sharing a Redis need the same ones).</summary>
public static class TestSecrets
{
    /// <summary>A key secret: base64 of 32 bytes.</summary>
    public const string KeySecret = "dGVzdC1rZXktc2VjcmV0LW9mLXByb3ZpZGVyZ2F0ZXc=";

    /// <summary>An AES-256 key: base64 of 32 bytes.</summary>
    public const string EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
}
