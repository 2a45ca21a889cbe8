using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Caching;

internal static class CacheTestSecrets
{
    public const string KeySecret = "dGVzdC1rZXktc2VjcmV0LW9mLXByb3ZpZGVyZ2F0ZXc=";
    public const string OtherKeySecret = "YW5vdGhlci1rZXktc2VjcmV0LW9mLXRoZS1nYXRld2E=";
    public const string EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    public const string OtherEncryptionKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    public static CacheSecrets Secrets(string keySecret = KeySecret, string? encryptionKey = EncryptionKey) =>
        new(Options.Create(new CachingOptions { KeySecret = keySecret, EncryptionKey = encryptionKey, EncryptValues = encryptionKey is not null }));
}
