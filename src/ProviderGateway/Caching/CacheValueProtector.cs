using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ProviderGateway.Caching;

/// <summary>
/// Seals cache values before they leave the process for Redis, each bound to the key it is stored under: AES-256-GCM
/// with a random nonce per value, whose associated data is a format version and the full Redis key, so Redis (and
/// anyone reading its memory, dumps or replicas) holds no personal data in clear, and a value copied onto another key
/// does not open. Without an encryption key (<c>EncryptValues=false</c>), values are stored in clear but still bound:
/// a marker, then an HMAC-SHA256 (under a key derived from <see cref="CacheSecrets.KeySecret"/>) of version, key and
/// payload.
/// </summary>
public sealed class CacheValueProtector : IDisposable
{
    private const byte ClearV2 = 0x03;
    private const byte AesGcmV2 = 0x04;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MacSize = 32;

    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("providergateway/cache-value/v2\n");

    private readonly byte[] _macKey;

    // One cipher per thread: creating one (key schedule, native context) costs more than sealing a value.
    private readonly ThreadLocal<AesGcm?> _aes;

    /// <summary>Uses the encryption key when one is configured, else the HMAC key derived from the key secret.</summary>
    public CacheValueProtector(CacheSecrets secrets)
    {
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secrets.KeySecret, 32, info: Encoding.UTF8.GetBytes("providergateway/cache-value-mac/v2"));
        _aes = new(() => secrets.EncryptionKey is { } key ? new AesGcm(key, TagSize) : null, trackAllValues: true);
    }

    /// <summary>Seals <paramref name="plaintext"/> for the Redis key <paramref name="key"/>.</summary>
    public byte[] Protect(ReadOnlySpan<byte> plaintext, string key)
    {
        var boundTo = BoundData(key);
        if (_aes.Value is not { } aes)
        {
            var clear = new byte[1 + MacSize + plaintext.Length];
            clear[0] = ClearV2;
            plaintext.CopyTo(clear.AsSpan(1 + MacSize));
            Mac(boundTo, plaintext, clear.AsSpan(1, MacSize));
            return clear;
        }

        var sealedValue = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedValue[0] = AesGcmV2;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        var tag = sealedValue.AsSpan(1 + NonceSize, TagSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize + TagSize), tag, boundTo);
        return sealedValue;
    }

    /// <summary>
    /// Opens a value sealed by <see cref="Protect"/> for <paramref name="key"/>; <c>null</c> when it does not open: sealed
    /// for another key, altered, sealed with another key or mode (encrypted while this instance stores clear values, or
    /// the reverse), or of an older format.
    /// </summary>
    public byte[]? Unprotect(byte[] value, string key)
    {
        if (value.Length == 0)
        {
            return null;
        }

        var boundTo = BoundData(key);
        switch (value[0], _aes.Value)
        {
            case (ClearV2, null) when value.Length >= 1 + MacSize:
                Span<byte> expected = stackalloc byte[MacSize];
                Mac(boundTo, value.AsSpan(1 + MacSize), expected);
                return CryptographicOperations.FixedTimeEquals(expected, value.AsSpan(1, MacSize)) ? value[(1 + MacSize)..] : null;
            case (AesGcmV2, { } aes) when value.Length >= 1 + NonceSize + TagSize:
                var plaintext = new byte[value.Length - 1 - NonceSize - TagSize];
                try
                {
                    aes.Decrypt(value.AsSpan(1, NonceSize), value.AsSpan(1 + NonceSize + TagSize), value.AsSpan(1 + NonceSize, TagSize), plaintext, boundTo);
                    return plaintext;
                }
                catch (CryptographicException)
                {
                    return null;
                }

            default:
                return null;
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

    // The format version and the full key, length-prefixed: a value opens under its own key only.
    private static byte[] BoundData(string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var data = new byte[Purpose.Length + 4 + keyBytes.Length];
        Purpose.CopyTo(data, 0);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(Purpose.Length), keyBytes.Length);
        keyBytes.CopyTo(data, Purpose.Length + 4);
        return data;
    }

    private void Mac(ReadOnlySpan<byte> boundTo, ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _macKey);
        hmac.AppendData([ClearV2]);
        hmac.AppendData(boundTo);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(mac);
    }
}
