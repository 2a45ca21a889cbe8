using System.Security.Cryptography;
using System.Text;

namespace ProviderGateway.Submissions;

/// <summary>
/// What keeps personal data out of the submission store in clear: requests and answers sealed with AES-256-GCM under the
/// configured key, the submission id (and the key's id) as associated data, so a sealed value moved to another row does not
/// open; the citizen as an HMAC-SHA256 under its own key, enough to list one citizen's submissions, never the IIN.
/// </summary>
public sealed class SubmissionSealer : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MinCitizenKeySize = 32;
    // One AesGcm per thread: an instance is not safe for concurrent use (sealing from several threads corrupted values).
    private readonly ThreadLocal<AesGcm> _aes;
    private readonly byte[] _citizenKey;

    // Earlier keys by id, to open what was sealed under them (rotation); one AesGcm per thread each, made when first needed.
    private readonly Dictionary<short, ThreadLocal<AesGcm>> _previous = [];

    /// <summary>Seals under <paramref name="sealKey"/> (32 bytes, id <paramref name="keyId"/>) and hashes citizens under <paramref name="citizenKey"/> (at least 32 bytes, another key).</summary>
    /// <exception cref="ArgumentException">A key has the wrong length, or the two keys are the same (the message never holds key material).</exception>
    public SubmissionSealer(byte[] sealKey, short keyId, byte[] citizenKey)
        : this(sealKey, keyId, citizenKey, new Dictionary<short, byte[]>())
    {
    }

    /// <summary>
    /// As above, and opens what was sealed under the earlier keys <paramref name="previousKeys"/> (by id; 32 bytes each, none
    /// under <paramref name="keyId"/>): a rotated key's values stay readable until they are purged.
    /// </summary>
    /// <exception cref="ArgumentException">A key has the wrong length or an earlier one has the current id (the message never holds key material).</exception>
    public SubmissionSealer(byte[] sealKey, short keyId, byte[] citizenKey, IReadOnlyDictionary<short, byte[]> previousKeys)
    {
        ArgumentNullException.ThrowIfNull(previousKeys);
        ArgumentNullException.ThrowIfNull(sealKey);
        ArgumentNullException.ThrowIfNull(citizenKey);
        if (sealKey.Length != 32)
        {
            throw new ArgumentException($"The submissions' seal key must be 32 bytes (AES-256); the configured one has {sealKey.Length}.", nameof(sealKey));
        }

        // About 10^9 IINs exist: an HMAC under a short or known key is reversed by trying them all.
        if (citizenKey.Length < MinCitizenKeySize)
        {
            throw new ArgumentException($"The submissions' citizen key must be at least {MinCitizenKeySize} bytes (HMAC-SHA256); the configured one has {citizenKey.Length}.", nameof(citizenKey));
        }

        if (citizenKey.Length == sealKey.Length && CryptographicOperations.FixedTimeEquals(citizenKey, sealKey))
        {
            throw new ArgumentException("The submissions' citizen key must differ from their seal key.", nameof(citizenKey));
        }

        var key = sealKey.ToArray();
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(key, TagSize), trackAllValues: true);
        KeyId = keyId;
        _citizenKey = citizenKey.ToArray();
        foreach (var (previousId, previousKey) in previousKeys)
        {
            if (previousId == keyId || previousKey.Length != 32)
            {
                throw new ArgumentException($"The earlier seal key {previousId} must be 32 bytes under an id other than the current key's ({keyId}).", nameof(previousKeys));
            }

            var copy = previousKey.ToArray();
            _previous[previousId] = new ThreadLocal<AesGcm>(() => new AesGcm(copy, TagSize), trackAllValues: true);
        }
    }

    /// <summary>The id of the seal key, stored with every sealed value (key rotation).</summary>
    public short KeyId { get; }

    /// <summary>Whether values sealed under <paramref name="keyId"/> can be opened: the current key or an earlier one configured.</summary>
    public bool Holds(short keyId) => keyId == KeyId || _previous.ContainsKey(keyId);

    /// <summary>The ids of the keys held, for messages: "key 2" or "keys 2, 1".</summary>
    public string KeysHeld => _previous.Count == 0 ? $"key {KeyId}" : $"keys {KeyId}, {string.Join(", ", _previous.Keys.Order())}";

    /// <summary>The citizen's HMAC, lowercase hex: what the store indexes instead of the IIN.</summary>
    public string CitizenHash(string iin) => Convert.ToHexStringLower(HMACSHA256.HashData(_citizenKey, Encoding.UTF8.GetBytes(iin)));

    /// <summary>
    /// A keyed digest of a request (HMAC-SHA256 under the citizen key, domain-separated), kept in the receipt: a request_id
    /// reused after the payload was purged is still compared with what was asked, and the digest reveals nothing of it.
    /// </summary>
    public string RequestDigest(ReadOnlySpan<byte> request)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _citizenKey);
        hmac.AppendData("submission-request\0"u8);
        hmac.AppendData(request);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Seals <paramref name="plain"/> for submission <paramref name="id"/>: nonce, tag, ciphertext.</summary>
    public byte[] Seal(Guid id, ReadOnlySpan<byte> plain)
    {
        var sealedValue = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plain, sealedValue.AsSpan(NonceSize + TagSize), sealedValue.AsSpan(NonceSize, TagSize), AssociatedData(id, KeyId));
        return sealedValue;
    }

    /// <summary>Opens a value sealed for submission <paramref name="id"/> under key <paramref name="keyId"/> (the current or an earlier one).</summary>
    /// <exception cref="CryptographicException">The key is not held, or the value was altered or belongs to another row.</exception>
    public byte[] Open(Guid id, short keyId, ReadOnlySpan<byte> sealedValue)
    {
        var aes = keyId == KeyId ? _aes : _previous.GetValueOrDefault(keyId);
        if (aes is null)
        {
            throw new CryptographicException($"A submission sealed under key {keyId} cannot be opened: this gateway holds {KeysHeld}.");
        }

        if (sealedValue.Length < NonceSize + TagSize)
        {
            throw new CryptographicException($"A submission sealed under key {keyId} is too short to be a sealed value.");
        }

        var plain = new byte[sealedValue.Length - NonceSize - TagSize];
        aes.Value!.Decrypt(sealedValue[..NonceSize], sealedValue[(NonceSize + TagSize)..], sealedValue.Slice(NonceSize, TagSize), plain, AssociatedData(id, keyId));
        return plain;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var aes in _aes.Values)
        {
            aes.Dispose();
        }

        _aes.Dispose();
        foreach (var previous in _previous.Values)
        {
            foreach (var aes in previous.Values)
            {
                aes.Dispose();
            }

            previous.Dispose();
        }
    }

    private static byte[] AssociatedData(Guid id, short keyId)
    {
        var data = new byte[18];
        id.TryWriteBytes(data, bigEndian: true, out _);
        BitConverter.TryWriteBytes(data.AsSpan(16), keyId);
        return data;
    }
}
