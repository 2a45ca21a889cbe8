using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Caching;

/// <summary>The decoded secrets of the cache (validated at start-up by <see cref="CachingOptionsValidator"/>).</summary>
public sealed class CacheSecrets
{
    /// <summary>Decodes the configured secrets.</summary>
    public CacheSecrets(IOptions<CachingOptions> options)
    {
        var settings = options.Value;
        KeySecret = Convert.FromBase64String(settings.KeySecret!);
        EncryptionKey = CachingOptionsValidator.EncryptsValues(settings) ? Convert.FromBase64String(settings.EncryptionKey!) : null;
    }

    /// <summary>The HMAC secret of cache keys and tags.</summary>
    public byte[] KeySecret { get; }

    /// <summary>The AES-256-GCM key of values stored in Redis; <c>null</c> when values are stored in clear.</summary>
    public byte[]? EncryptionKey { get; }

    /// <summary>A new random secret, base64: the embedded default's throw-away key secret.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
