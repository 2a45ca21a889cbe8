using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.Paging;

/// <summary>Where a merged listing stands with one provider: the provider's own page token.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="Token">The provider's token for its next page; empty for its first page.</param>
public sealed record ProviderCursor(
    [property: JsonPropertyName("p")] string ProviderId,
    [property: JsonPropertyName("t")] string Token);

/// <summary>
/// The page token of a merged (fan-out) listing: for every provider not yet exhausted, its own page
/// token, bound to the listing's scope (method, citizen, district) so that a token cannot be replayed
/// with other parameters. Stateless, so any gateway instance can serve the next page.
/// </summary>
public static class FanOutPageToken
{
    private const int Version = 1;

    /// <summary>A fingerprint of the listing's parameters. Holds no identifier in clear.</summary>
    public static string Scope(string method, string iin, string katoCode)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{method}\n{iin}\n{katoCode}"), hash);
        return Base64Url.EncodeToString(hash[..16]);
    }

    /// <summary>Encodes the cursors of the next page; empty when there are none (the last page).</summary>
    public static string Encode(string scope, IReadOnlyList<ProviderCursor> cursors) =>
        cursors.Count == 0
            ? ""
            : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new TokenBody(Version, scope, cursors), FanOutPageTokenJson.Default.TokenBody));

    /// <summary>Decodes a token issued for <paramref name="scope"/>.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT naming <c>page_token</c> when it was not issued for this listing.</exception>
    public static IReadOnlyList<ProviderCursor> Decode(string token, string scope)
    {
        TokenBody? body = null;
        try
        {
            body = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token), FanOutPageTokenJson.Default.TokenBody);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            // Falls through to the same answer as a token of another listing.
        }

        if (body is null || body.Version != Version || body.Scope != scope || body.Cursors is null)
        {
            throw RpcErrors.InvalidArgument(
                "page_token",
                "page_token was not issued for this listing: pass the next_page_token of the previous page, with every other field unchanged.",
                "PAGE_TOKEN_INVALID");
        }

        return body.Cursors;
    }

    internal sealed record TokenBody(
        [property: JsonPropertyName("v")] int Version,
        [property: JsonPropertyName("s")] string Scope,
        [property: JsonPropertyName("c")] IReadOnlyList<ProviderCursor> Cursors);
}

[JsonSerializable(typeof(FanOutPageToken.TokenBody))]
internal sealed partial class FanOutPageTokenJson : JsonSerializerContext;
