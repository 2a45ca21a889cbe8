using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Errors;

namespace ProviderGateway.Paging;

/// <summary>Where a merged listing stands with one provider: the provider's own page token.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="Token">The provider's token for its next page; empty for its first page.</param>
public sealed record ProviderCursor(string ProviderId, string Token);

/// <summary>What a page token is bound to: the client it was issued to, the method, and every request field that shapes the list.</summary>
/// <param name="ClientId">The authenticated client (empty when unknown).</param>
/// <param name="Method">The method of the listing.</param>
/// <param name="Fields">The request fields that shape the list (the citizen, the district…), in a fixed order.</param>
public sealed record PageTokenBinding(string ClientId, string Method, params IReadOnlyList<string> Fields);

/// <summary>
/// The page tokens of the gateway's own listings (merged fan-outs, the provider directory): opaque, authenticated
/// with HMAC-SHA256 under <c>Gateway:Security:PageTokens:Key</c> and bound to a <see cref="PageTokenBinding"/>. The
/// bound values enter the MAC only, never the token, so a token holds no identifier; it carries a version, its
/// issue time (it expires after <see cref="PageTokenOptions.Lifetime"/>) and the cursors. Tokens made under
/// <see cref="PageTokenOptions.PreviousKey"/> are still accepted, so keys can be rotated. Stateless: any instance
/// with the same key serves the next page.
/// </summary>
public sealed class PageTokens
{
    private const byte Version = 2;
    private const int TagBytes = 16; // 128 bits of HMAC-SHA256
    private const int HeaderBytes = 1 + 8; // version, issue time (Unix seconds)

    /// <summary>The longest token accepted, in characters (what the request validator lets through).</summary>
    public const int MaximumLength = 8192;

    /// <summary>The most cursors a token carries.</summary>
    public const int MaximumCursors = 255;

    // Tokens issued a little "in the future" come from an instance whose clock is ahead; further than this, forged.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("providergateway/page-token\n");

    private readonly byte[] _key;
    private readonly byte[]? _previousKey;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    /// <summary>Reads the keys (validated at start-up by <see cref="SecurityOptionsValidator"/>).</summary>
    public PageTokens(IOptions<SecurityOptions> options, TimeProvider time)
    {
        var settings = options.Value.PageTokens;
        _key = Convert.FromBase64String(settings.Key ?? "");
        _previousKey = string.IsNullOrWhiteSpace(settings.PreviousKey) ? null : Convert.FromBase64String(settings.PreviousKey);
        _lifetime = settings.Lifetime;
        _time = time;
    }

    /// <summary>The token of the next page: the <paramref name="cursors"/>, bound to <paramref name="binding"/>; empty when there are none (the last page).</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaximumCursors"/> cursors, or cursors too long for a token.</exception>
    public string Issue(PageTokenBinding binding, IReadOnlyList<ProviderCursor> cursors)
    {
        if (cursors.Count == 0)
        {
            return "";
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(cursors.Count, MaximumCursors, nameof(cursors));
        using var body = new MemoryStream();
        body.WriteByte(Version);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, _time.GetUtcNow().ToUnixTimeSeconds());
        body.Write(number);
        body.WriteByte((byte)cursors.Count);
        foreach (var cursor in cursors)
        {
            WriteString(body, cursor.ProviderId, byte.MaxValue, lengthBytes: 1);
            WriteString(body, cursor.Token, ushort.MaxValue, lengthBytes: 2);
        }

        var content = body.ToArray();
        var token = new byte[content.Length + TagBytes];
        content.CopyTo(token, 0);
        Tag(_key, binding, content, token.AsSpan(content.Length));
        var text = Base64Url.EncodeToString(token);
        return text.Length <= MaximumLength
            ? text
            : throw new ArgumentException("The cursors are too long for a page token.", nameof(cursors));
    }

    /// <summary>The cursors of a token issued for <paramref name="binding"/> by this gateway (current or previous key), not expired.</summary>
    /// <exception cref="Grpc.Core.RpcException">
    /// INVALID_ARGUMENT with a BadRequest on <c>page_token</c>: <c>PAGE_TOKEN_INVALID</c> for a token that was edited,
    /// forged, made under an unknown key, or issued to another client or for other fields; <c>PAGE_TOKEN_EXPIRED</c>
    /// for an authentic token older than its lifetime.
    /// </exception>
    public IReadOnlyList<ProviderCursor> Open(string token, PageTokenBinding binding)
    {
        var data = Decode(token);
        if (data is null || data.Length < HeaderBytes + 1 + TagBytes || data[0] != Version)
        {
            throw Invalid();
        }

        var content = data.AsSpan(0, data.Length - TagBytes);
        var tag = data.AsSpan(data.Length - TagBytes);
        if (!Authentic(_key, binding, content, tag) && !(_previousKey is { } previous && Authentic(previous, binding, content, tag)))
        {
            throw Invalid();
        }

        // Authentic from here on: the gateway wrote every byte.
        var issued = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(BinaryPrimitives.ReadInt64BigEndian(content[1..]), 0, 253_402_300_799));
        var now = _time.GetUtcNow();
        if (issued > now + ClockSkew)
        {
            throw Invalid();
        }

        if (now - issued > _lifetime)
        {
            throw RpcErrors.InvalidArgument(
                "page_token",
                "page_token has expired: start the listing again from its first page.",
                ErrorReasons.PageTokenExpired);
        }

        return ReadCursors(content[HeaderBytes..]) ?? throw Invalid();
    }

    /// <summary>INVALID_ARGUMENT naming <c>page_token</c> (<c>PAGE_TOKEN_INVALID</c>): the token does not belong to this listing.</summary>
    public static Grpc.Core.RpcException Invalid() => RpcErrors.InvalidArgument(
        "page_token",
        "page_token was not issued for this listing: pass the next_page_token of the previous page, with every other field unchanged.",
        ErrorReasons.PageTokenInvalid);

    private static byte[]? Decode(string token)
    {
        if (token.Length > MaximumLength)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Authentic(byte[] key, PageTokenBinding binding, ReadOnlySpan<byte> content, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[TagBytes];
        Tag(key, binding, content, expected);
        return CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    // MAC input: purpose, then each bound value with its length (no two bindings give the same bytes), then the token.
    private static void Tag(byte[] key, PageTokenBinding binding, ReadOnlySpan<byte> content, Span<byte> tag)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Purpose);
        AppendBound(hmac, binding.ClientId);
        AppendBound(hmac, binding.Method);
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(count, binding.Fields.Count);
        hmac.AppendData(count);
        foreach (var field in binding.Fields)
        {
            AppendBound(hmac, field);
        }

        hmac.AppendData(content);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..TagBytes].CopyTo(tag);
    }

    private static void AppendBound(IncrementalHash hmac, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(bytes);
    }

    private static void WriteString(MemoryStream stream, string value, int maximum, int lengthBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > maximum)
        {
            throw new ArgumentException("A cursor is too long for a page token.", nameof(value));
        }

        if (lengthBytes == 1)
        {
            stream.WriteByte((byte)bytes.Length);
        }
        else
        {
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)bytes.Length);
            stream.Write(length);
        }

        stream.Write(bytes);
    }

    private static List<ProviderCursor>? ReadCursors(ReadOnlySpan<byte> body)
    {
        var count = body[0];
        body = body[1..];
        var cursors = new List<ProviderCursor>(count);
        for (var i = 0; i < count; i++)
        {
            if (body.Length < 1 || body.Length < 1 + body[0])
            {
                return null;
            }

            var id = Encoding.UTF8.GetString(body.Slice(1, body[0]));
            body = body[(1 + body[0])..];
            if (body.Length < 2 || body.Length < 2 + BinaryPrimitives.ReadUInt16BigEndian(body))
            {
                return null;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(body);
            cursors.Add(new ProviderCursor(id, Encoding.UTF8.GetString(body.Slice(2, length))));
            body = body[(2 + length)..];
        }

        return body.IsEmpty ? cursors : null;
    }
}
