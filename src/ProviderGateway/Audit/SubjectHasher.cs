using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Audit;

/// <summary>
/// Replaces a citizen's IIN (or a parcel's cadastral number) by its HMAC-SHA256 under the journal's subject key:
/// the journal never holds the identifier, yet whoever holds the key can find every access to one citizen.
/// </summary>
public sealed class SubjectHasher(IOptions<SecurityOptions> options)
{
    private readonly byte[] _key = Convert.FromBase64String(options.Value.Journal.SubjectKey ?? "");

    /// <summary>The keyed hash of <paramref name="identifier"/>, lowercase hex.</summary>
    public string Hash(string identifier) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(identifier)));
}
