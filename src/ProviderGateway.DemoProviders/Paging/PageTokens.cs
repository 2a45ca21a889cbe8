using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.Paging;

namespace ProviderGateway.DemoProviders.Paging;

/// <summary>
/// Issues and reads the opaque page tokens of the List methods. A token is base64url of a version,
/// the offset of the next item and a keyed hash over the offset and the request's other fields (the
/// method, the IIN, the account...). So a token cannot be forged or edited, and a token reused with
/// another citizen or account is refused as INVALID_ARGUMENT instead of paging through the wrong list.
/// </summary>
/// <remarks>
/// The key derives from the provider id rather than being random, so tokens survive a restart of a
/// standalone demo provider that a gateway is paging through.
/// </remarks>
internal sealed class PageTokens(string providerId)
{
    private const byte Version = 1;
    private const int OffsetLength = 4;
    private const int TagLength = 12;
    private const int TokenLength = 1 + OffsetLength + TagLength;

    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes("ProviderGateway.DemoProviders page tokens/" + providerId));

    /// <summary>One page of <paramref name="items"/> and the token of the next page ("" on the last).</summary>
    /// <param name="items">The whole list, in its stable order.</param>
    /// <param name="requestedSize">The request's page_size (already checked to be zero or positive).</param>
    /// <param name="pageToken">The request's page_token.</param>
    /// <param name="scope">The request's other fields that select the list, for example "ListInvoices|iin|account".</param>
    public (IEnumerable<T> Items, string NextPageToken) Page<T>(IReadOnlyList<T> items, int requestedSize, string pageToken, string scope)
    {
        var size = PageSize.Resolve(requestedSize);
        var offset = pageToken.Length == 0 ? 0 : Read(pageToken, scope);

        // An offset past the end can only mean the list shrank since the token was issued: an empty last page.
        var end = Math.Min(items.Count, offset + size);
        var next = end < items.Count ? Issue(end, scope) : "";
        return (Slice(items, offset, end), next);
    }

    private static IEnumerable<T> Slice<T>(IReadOnlyList<T> items, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            yield return items[i];
        }
    }

    private string Issue(int offset, string scope)
    {
        Span<byte> token = stackalloc byte[TokenLength];
        token[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(token[1..], offset);
        Tag(token[..(1 + OffsetLength)], scope, token[(1 + OffsetLength)..]);
        return Base64Url.EncodeToString(token);
    }

    private int Read(string pageToken, string scope)
    {
        Span<byte> token = stackalloc byte[TokenLength + 3];
        Span<byte> expectedTag = stackalloc byte[TagLength];
        if (TryDecode(pageToken, token, out var written) && written == TokenLength && token[0] == Version)
        {
            Tag(token[..(1 + OffsetLength)], scope, expectedTag);
            var offset = BinaryPrimitives.ReadInt32BigEndian(token[1..]);
            if (offset >= 0 && CryptographicOperations.FixedTimeEquals(expectedTag, token.Slice(1 + OffsetLength, TagLength)))
            {
                return offset;
            }
        }

        throw RpcErrors.InvalidArgument(
            "page_token",
            "page_token must be the next_page_token of the previous page of the same request (same citizen and resource).",
            "PAGE_TOKEN_INVALID");
    }

    private static bool TryDecode(string pageToken, Span<byte> destination, out int written)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(pageToken, destination, out written);
        }
        catch (FormatException)
        {
            // Not base64url at all: a token this provider never issued.
            written = 0;
            return false;
        }
    }

    private void Tag(ReadOnlySpan<byte> header, string scope, Span<byte> tag)
    {
        var scopeBytes = Encoding.UTF8.GetBytes(scope);
        var input = new byte[header.Length + scopeBytes.Length];
        header.CopyTo(input);
        scopeBytes.CopyTo(input.AsSpan(header.Length));
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, full);
        full[..TagLength].CopyTo(tag);
    }
}
