using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Audit;

/// <summary>
/// Writes journal lines in the format of <see cref="JournalChain"/>. Keeps its buffers and hash between lines:
/// one instance per writer thread, not thread-safe.
/// </summary>
public sealed class JournalLineWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _entry = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _prev = new byte[64];
    private readonly byte[] _hash = new byte[32];

    /// <summary>Creates a writer.</summary>
    public JournalLineWriter() => _json = new Utf8JsonWriter(_entry);

    /// <summary>Appends the line of <paramref name="record"/> to <paramref name="output"/> and returns its hash.</summary>
    public string Write(ArrayBufferWriter<byte> output, AccessRecord record, long seq, string prev)
    {
        _entry.ResetWrittenCount();
        _json.Reset(_entry);
        Span<char> time = stackalloc char[32];
        record.Time.UtcDateTime.TryFormat(time, out var timeLength, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        _json.WriteStartObject();
        _json.WriteNumber("seq", seq);
        _json.WriteString("time", time[..timeLength]);
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
        _json.WriteEndObject();
        _json.Flush();

        Encoding.ASCII.GetBytes(prev, _prev);
        _sha.AppendData(_prev);
        _sha.AppendData(_entry.WrittenSpan);
        _sha.GetHashAndReset(_hash);
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

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        _sha.Dispose();
    }
}
