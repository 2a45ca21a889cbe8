using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Audit;

/// <summary>
/// A signed checkpoint: the line <c>{"checkpoint":CP,"sig":"SIG"}</c>, where CP is compact JSON
/// <c>{"instance":…,"seq":N,"head":"HASH of line seq N","time":…,"key_id":…}</c> and SIG the base64 of the ECDSA
/// P-256 signature (SHA-256, IEEE P1363 r‖s) over CP's bytes as written. Not part of the chain: it vouches for
/// every line up to seq N. The same line is appended to the anchors (<see cref="IJournalAnchor"/>).
/// </summary>
/// <param name="Instance">The gateway instance whose chain it is.</param>
/// <param name="Seq">The last line it covers.</param>
/// <param name="Head">That line's HASH.</param>
/// <param name="Line">The whole checkpoint line, without its newline.</param>
public sealed record JournalCheckpoint(string Instance, long Seq, string Head, string Line)
{
    private static readonly byte[] Prefix = "{\"checkpoint\":"u8.ToArray();
    private static readonly byte[] SigMark = ",\"sig\":\""u8.ToArray();

    /// <summary>Reads a checkpoint line (without its newline); <c>null</c> when it is not one. The signature is not checked.</summary>
    public static JournalCheckpoint? Parse(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(Prefix) || !line.EndsWith("\"}"u8))
        {
            return null;
        }

        var mark = line.LastIndexOf(SigMark);
        if (mark < Prefix.Length)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line[Prefix.Length..mark].ToArray());
            var root = document.RootElement;
            return new JournalCheckpoint(
                root.GetProperty("instance").GetString() ?? "",
                root.GetProperty("seq").GetInt64(),
                root.GetProperty("head").GetString() ?? "",
                Encoding.UTF8.GetString(line));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="line"/> is a checkpoint whose signature verifies under <paramref name="publicKey"/>.</summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> line)
    {
        var mark = line.LastIndexOf(SigMark);
        if (!line.StartsWith(Prefix) || mark < Prefix.Length || !line.EndsWith("\"}"u8))
        {
            return false;
        }

        var signature = new byte[64];
        return Convert.TryFromBase64String(Encoding.ASCII.GetString(line[(mark + SigMark.Length)..^2]), signature, out var length)
            && length == 64
            && publicKey.VerifyData(line[Prefix.Length..mark], signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}

/// <summary>Signs the journal's checkpoints with the ECDSA P-256 key of <c>Gateway:Security:Journal:SigningKey</c>.</summary>
public sealed class JournalSigner : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Signs with <paramref name="key"/> (a P-256 private key; the signer owns it).</summary>
    public JournalSigner(ECDsa key)
    {
        _key = key;
        KeyId = KeyIdOf(key);
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the public key's SubjectPublicKeyInfo (DER).</summary>
    public string KeyId { get; }

    /// <summary>Loads the private key from a PEM file.</summary>
    public static JournalSigner FromPemFile(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new JournalSigner(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The key id of <paramref name="key"/>'s public key.</summary>
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    /// <summary>Makes the checkpoint of line <paramref name="seq"/> (whose HASH is <paramref name="head"/>) and appends its line to <paramref name="output"/>.</summary>
    public JournalCheckpoint Sign(ArrayBufferWriter<byte> output, string instance, long seq, string head, DateTimeOffset time)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("instance", instance);
            json.WriteNumber("seq", seq);
            json.WriteString("head", head);
            json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("key_id", KeyId);
            json.WriteEndObject();
        }

        var signature = _key.SignData(body.WrittenSpan, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var line = new ArrayBufferWriter<byte>(512);
        line.Write("{\"checkpoint\":"u8);
        line.Write(body.WrittenSpan);
        line.Write(",\"sig\":\""u8);
        line.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(signature)));
        line.Write("\"}"u8);
        output.Write(line.WrittenSpan);
        output.Write("\n"u8);
        return new JournalCheckpoint(instance, seq, head, Encoding.UTF8.GetString(line.WrittenSpan));
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
