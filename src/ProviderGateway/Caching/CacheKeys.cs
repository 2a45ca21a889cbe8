using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;

namespace ProviderGateway.Caching;

/// <summary>
/// Cache keys and tags as keyed hashes (HMAC-SHA256 with <see cref="CacheSecrets.KeySecret"/>): no key,
/// tag or Redis channel ever holds an IIN, an account or a cadastral number, and without the secret
/// nobody can test a guessed identifier against them.
/// </summary>
public sealed class CacheKeys(CacheSecrets secrets) : IDisposable
{
    private const int HashBytesKept = 24; // 192 bits: far beyond any collision concern, shorter keys

    // One keyed hash per thread, its key schedule computed once: keys are made on every read, hits included.
    private readonly ThreadLocal<IncrementalHash> _hmac = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secrets.KeySecret), trackAllValues: true);

    /// <summary>
    /// The key of a provider's answer to a read: the provider, the method and the whole request, and the client when
    /// <paramref name="clientId"/> is given (providers whose answers depend on who asks: <c>CachePerClient</c>).
    /// </summary>
    public string ForRead(string providerId, string method, IMessage request, string? clientId = null)
    {
        var requestSize = request.CalculateSize();
        // A per-client key starts with a zero byte, which no provider id does: the two kinds never meet.
        var clientSize = clientId is null ? 0 : Encoding.UTF8.GetByteCount(clientId) + 2;
        var prefixSize = clientSize + Encoding.UTF8.GetByteCount(providerId) + Encoding.UTF8.GetByteCount(method) + 2;
        var buffer = ArrayPool<byte>.Shared.Rent(prefixSize + requestSize);
        try
        {
            var written = 0;
            if (clientId is not null)
            {
                buffer[written++] = 0;
                written += Encoding.UTF8.GetBytes(clientId, buffer.AsSpan(written));
                buffer[written++] = (byte)'\n';
            }

            written += Encoding.UTF8.GetBytes(providerId, buffer.AsSpan(written));
            buffer[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(method, buffer.AsSpan(written));
            buffer[written++] = (byte)'\n';
            request.WriteTo(buffer.AsSpan(written, requestSize));
            return "a:" + Hash(buffer.AsSpan(0, written + requestSize));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The tag of every cached answer about one citizen from one provider: what a write of that citizen there invalidates.</summary>
    public string CitizenTag(string providerId, string iin) =>
        "c:" + Hash(Encoding.UTF8.GetBytes($"citizen\n{providerId}\n{iin}"));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }

        _hmac.Dispose();
    }

    private string Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        var hmac = _hmac.Value!;
        hmac.AppendData(data);
        hmac.GetHashAndReset(hash);
        return Base64Url.EncodeToString(hash[..HashBytesKept]);
    }
}
