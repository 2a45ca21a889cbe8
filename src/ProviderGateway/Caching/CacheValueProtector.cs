using System.Security.Cryptography;
using System.Text;

namespace ProviderGateway.Caching;

/// <summary>
/// Seals cache values before they leave the process for Redis: AES-256-GCM with a random nonce per
/// value, so Redis (and anyone reading its memory, dumps or replicas) holds no personal data in clear.
/// Without a key, values are stored in clear with a marker byte, so a misconfiguration is detected.
/// </summary>
public sealed class CacheValueProtector(CacheSecrets secrets) : IDisposable
{
    private const byte Clear = 0x01;
    private const byte AesGcmV1 = 0x02;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // Binds every sealed value to this purpose: a value cannot be replayed as anything else.
    private static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("providergateway/cache-value/v1");

    // One cipher per thread: creating one (key schedule, native context) costs more than sealing a value.
    private readonly ThreadLocal<AesGcm?> _aes = new(() => secrets.EncryptionKey is { } key ? new AesGcm(key, TagSize) : null, trackAllValues: true);

    /// <summary>Seals <paramref name="plaintext"/> (or marks it clear when no key is configured).</summary>
    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        if (_aes.Value is not { } aes)
        {
            var clear = new byte[plaintext.Length + 1];
            clear[0] = Clear;
            plaintext.CopyTo(clear.AsSpan(1));
            return clear;
        }

        var sealedValue = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedValue[0] = AesGcmV1;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        var tag = sealedValue.AsSpan(1 + NonceSize, TagSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize + TagSize), tag, AssociatedData);
        return sealedValue;
    }

    /// <summary>Opens a value sealed by <see cref="Protect"/>.</summary>
    /// <exception cref="CryptographicException">When the value was altered, or sealed with another key.</exception>
    /// <exception cref="InvalidDataException">When the value is clear but a key is configured, or vice versa.</exception>
    public byte[] Unprotect(byte[] value)
    {
        if (value.Length == 0)
        {
            throw new InvalidDataException("An empty cache value.");
        }

        switch (value[0], _aes.Value)
        {
            case (Clear, null):
                return value[1..];
            case (AesGcmV1, { } aes) when value.Length >= 1 + NonceSize + TagSize:
                var plaintext = new byte[value.Length - 1 - NonceSize - TagSize];
                aes.Decrypt(value.AsSpan(1, NonceSize), value.AsSpan(1 + NonceSize + TagSize), value.AsSpan(1 + NonceSize, TagSize), plaintext, AssociatedData);
                return plaintext;
            default:
                throw new InvalidDataException("A cache value in a format this gateway does not read (clear while a key is configured, sealed while none is, or corrupt).");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var aes in _aes.Values)
        {
            aes?.Dispose();
        }

        _aes.Dispose();
    }
}
