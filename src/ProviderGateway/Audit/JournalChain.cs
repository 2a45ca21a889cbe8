using System.Security.Cryptography;
using System.Text.Json;

namespace ProviderGateway.Audit;

/// <summary>
/// The journal's line format and hash chain. Each line is
/// <c>{"entry":ENTRY,"prev":"PREV","hash":"HASH"}</c> + newline, where ENTRY is the record as compact JSON
/// (with <c>seq</c>, 1 on the first line and one more on each next), PREV the previous line's HASH (64 zeros on
/// the first line) and HASH the lowercase hex SHA-256 of the UTF-8 bytes of PREV followed by ENTRY as written.
/// <c>tools/journal/verify-journal.py</c> checks a journal independently of this code.
/// </summary>
public static class JournalChain
{
    /// <summary>The PREV of a journal's first line.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// Where a journal's chain continues from: the last line's HASH and seq, read from the end of the file.
    /// A damaged last line (cut short by a crash, say) is chained onto as it is, by the hash of its bytes, so the
    /// verifier reports exactly that line.
    /// </summary>
    public static JournalTail Resume(FileStream file)
    {
        if (file.Length == 0)
        {
            return new JournalTail(Genesis, 0, Damaged: false, NeedsNewline: false);
        }

        var length = (int)Math.Min(file.Length, 1 << 20);
        var tail = new byte[length];
        file.Seek(-length, SeekOrigin.End);
        file.ReadExactly(tail);
        var text = tail.AsSpan();
        var complete = text[^1] == (byte)'\n';
        if (complete)
        {
            text = text[..^1];
        }

        var start = text.LastIndexOf((byte)'\n') + 1;
        var last = text[start..];
        if (complete && Parse(last) is { } good)
        {
            return new JournalTail(good.Prev, good.Seq, Damaged: false, NeedsNewline: false);
        }

        // Damaged: chained onto by the hash of its bytes; its seq is taken as one more than the line before it.
        var before = start > 0 ? text[..(start - 1)] : [];
        var previousSeq = start > 0 && Parse(before[(before.LastIndexOf((byte)'\n') + 1)..]) is { } previous ? previous.Seq : 0;
        return new JournalTail(Convert.ToHexStringLower(SHA256.HashData(last)), previousSeq + 1, Damaged: true, NeedsNewline: !complete);
    }

    private static (string Prev, long Seq)? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            var root = document.RootElement;
            var hash = root.GetProperty("hash").GetString();
            var seq = root.GetProperty("entry").GetProperty("seq").GetInt64();
            return hash is { Length: 64 } ? (hash, seq) : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>Where a journal's chain continues from.</summary>
/// <param name="Prev">The PREV of the next line.</param>
/// <param name="Seq">The seq of the last line (0 for an empty journal).</param>
/// <param name="Damaged">True when the last line is damaged (the verifier will report it).</param>
/// <param name="NeedsNewline">True when the file ends in the middle of a line, which must be ended first.</param>
public readonly record struct JournalTail(string Prev, long Seq, bool Damaged, bool NeedsNewline);
