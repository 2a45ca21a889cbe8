using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Providers.OAuth2;

/// <summary>
/// The private key of a <c>private_key_jwt</c> client (RFC 7523 §2.2) and the assertions it signs: RS256 with an RSA key
/// (2048 bits or more), ES256 with an EC P-256 key.
/// </summary>
public sealed class ClientAssertionKey : IDisposable
{
    /// <summary>How long an assertion is valid: just long enough to reach the token endpoint.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly AsymmetricAlgorithm _key;

    private ClientAssertionKey(AsymmetricAlgorithm key) => _key = key;

    /// <summary>The JWS algorithm the key signs with: RS256 or ES256.</summary>
    public string Algorithm => _key is RSA ? "RS256" : "ES256";

    /// <summary>What is wrong with <paramref name="pem"/> as an assertion key; <c>null</c> when it is a usable one. Never the key.</summary>
    public static string? Problem(string pem)
    {
        try
        {
            using var key = Load(pem);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or NotSupportedException)
        {
            return e.Message;
        }
    }

    /// <summary>Loads an RSA (2048 bits or more) or EC P-256 private key from PEM.</summary>
    /// <exception cref="ArgumentException">The PEM holds no such private key.</exception>
    public static ClientAssertionKey Load(string pem)
    {
        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new ArgumentException("not a PEM file with a private key (an RSA or EC P-256 key is expected).");
        }

        if (TryImport(ECDsa.Create(), pem) is { } ecdsa)
        {
            if (ecdsa.KeySize != 256)
            {
                ecdsa.Dispose();
                throw new ArgumentException($"an EC key of {ecdsa.KeySize} bits: only P-256 (ES256) is supported.");
            }

            return new ClientAssertionKey(ecdsa);
        }

        var rsa = ImportOrThrow(RSA.Create(), pem);
        if (rsa.KeySize < 2048)
        {
            rsa.Dispose();
            throw new ArgumentException($"an RSA key of {rsa.KeySize} bits: at least 2048 are required.");
        }

        return new ClientAssertionKey(rsa);
    }

    /// <summary>
    /// A signed client assertion for <paramref name="clientId"/> at <paramref name="tokenEndpoint"/>: <c>iss</c> and
    /// <c>sub</c> the client, <c>aud</c> the endpoint, a fresh <c>jti</c>, valid for <see cref="Lifetime"/> from <paramref name="now"/>.
    /// </summary>
    public string CreateAssertion(string clientId, Uri tokenEndpoint, string? keyId, DateTimeOffset now)
    {
        var header = new Dictionary<string, string> { ["alg"] = Algorithm, ["typ"] = "JWT" };
        if (keyId is not null)
        {
            header["kid"] = keyId;
        }

        var payload = new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = tokenEndpoint.AbsoluteUri,
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        };
        var signed = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var data = Encoding.ASCII.GetBytes(signed);
        var signature = _key switch
        {
            RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException("Unreachable: the key is RSA or EC."),
        };
        return $"{signed}.{Base64Url(signature)}";
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static T? TryImport<T>(T key, string pem)
        where T : AsymmetricAlgorithm
    {
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    private static T ImportOrThrow<T>(T key, string pem)
        where T : AsymmetricAlgorithm =>
        TryImport(key, pem) ?? throw new ArgumentException("the PEM holds no unencrypted RSA or EC P-256 private key.");
}
