using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Audit;

/// <summary>
/// Writes chained journal lines in the format of <see cref="JournalChain"/>: access entries and gateway events.
/// Keeps its buffers and HMAC between lines: one instance per writer thread, not thread-safe.
/// </summary>
public sealed class JournalLineWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _entry = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly IncrementalHash _hmac;
    private readonly byte[] _prev = new byte[64];
    private readonly byte[] _hash = new byte[32];

    /// <summary>Creates a writer that links lines under <paramref name="chainKey"/>.</summary>
    public JournalLineWriter(byte[] chainKey)
    {
        _json = new Utf8JsonWriter(_entry);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, chainKey);
    }

    /// <summary>Appends the line of <paramref name="record"/> to <paramref name="output"/> and returns its hash.</summary>
    public string Write(ArrayBufferWriter<byte> output, AccessRecord record, long seq, string prev)
    {
        StartEntry(seq, record.Time);
        _json.WriteString("client", record.ClientId);
        _json.WriteString("operator", record.OperatorId);
        _json.WriteString("purpose", record.Purpose);
        _json.WriteString("method", record.Method);
        _json.WriteString("subject_kind", record.SubjectKind);
        _json.WriteString("subject", record.Subject);
        _json.WriteStartArray("providers");
        foreach (var touch in record.Providers)
        {
            _json.WriteStartObject();
            _json.WriteString("id", touch.ProviderId);
            _json.WriteString("code", touch.Code);
            _json.WriteString("origin", touch.Origin);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteString("result", record.Result);
        if (record.Submission is { } submission)
        {
            _json.WriteString("submission", submission);
        }

        if (record.Consent is { } consent)
        {
            _json.WriteString("consent", consent);
        }

        if (record.Reason is { } reason)
        {
            _json.WriteString("reason", reason);
        }

        return Seal(output, prev);
    }

    /// <summary>
    /// Appends the gateway event <c>resumed</c>: the gateway restarted after a crash left <paramref name="torn"/>
    /// (a line cut short, not part of the chain) at the end of the file. Returns the line's hash.
    /// </summary>
    public string WriteResumed(ArrayBufferWriter<byte> output, long seq, string prev, DateTimeOffset time, string instance, ReadOnlySpan<byte> torn)
    {
        StartEntry(seq, time);
        _json.WriteString("event", "resumed");
        _json.WriteString("instance", instance);
        _json.WriteNumber("torn_bytes", torn.Length);
        _json.WriteString("torn_sha256", Convert.ToHexStringLower(SHA256.HashData(torn)));
        return Seal(output, prev);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        _hmac.Dispose();
    }

    private void StartEntry(long seq, DateTimeOffset time)
    {
        _entry.ResetWrittenCount();
        _json.Reset(_entry);
        Span<char> text = stackalloc char[32];
        time.UtcDateTime.TryFormat(text, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        _json.WriteStartObject();
        _json.WriteNumber("seq", seq);
        _json.WriteString("time", text[..length]);
    }

    private string Seal(ArrayBufferWriter<byte> output, string prev)
    {
        _json.WriteEndObject();
        _json.Flush();

        Encoding.ASCII.GetBytes(prev, _prev);
        _hmac.AppendData(_prev);
        _hmac.AppendData(_entry.WrittenSpan);
        _hmac.GetHashAndReset(_hash);
        var hash = Convert.ToHexStringLower(_hash);

        output.Write("{\"entry\":"u8);
        output.Write(_entry.WrittenSpan);
        output.Write(",\"prev\":\""u8);
        output.Write(_prev);
        output.Write("\",\"hash\":\""u8);
        Encoding.ASCII.GetBytes(hash, output.GetSpan(64));
        output.Advance(64);
        output.Write("\"}\n"u8);
        return hash;
    }
}
