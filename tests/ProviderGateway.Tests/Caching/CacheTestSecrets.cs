using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Caching;

internal static class CacheTestSecrets
{
    public static CacheSecrets Secrets(string keySecret = TestSecrets.KeySecret, string? encryptionKey = TestSecrets.EncryptionKey) =>
        new(Options.Create(new CachingOptions { KeySecret = keySecret, EncryptionKey = encryptionKey, EncryptValues = encryptionKey is not null }));
}
