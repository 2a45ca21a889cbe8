using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Audit;

/// <summary>
/// The journal's line format and keyed chain. A chained line is
/// <c>{"entry":ENTRY,"prev":"PREV","hash":"HASH"}</c> + newline, where ENTRY is compact JSON with <c>seq</c> (1 on
/// the first line of a chain and one more on each next, across rotated files), PREV the previous line's HASH (64
/// zeros on the first line) and HASH the lowercase hex HMAC-SHA256 under the chain key of the UTF-8 bytes of PREV
/// followed by ENTRY as written. Entries with an <c>event</c> field are the gateway's own (<c>resumed</c>); the
/// others are access records. A checkpoint line (<see cref="JournalCheckpoint"/>) is not part of the chain.
/// <c>tools/journal/verify-journal.py</c> checks a journal independently of this code.
/// </summary>
public static class JournalChain
{
    /// <summary>The PREV of a chain's first line.</summary>
    public static readonly string Genesis = new('0', 64);

    private const int SuffixLength = 149; // ,"prev":"<64>","hash":"<64>"}

    /// <summary>The HASH of a line: HMAC-SHA256 of PREV then ENTRY, lowercase hex.</summary>
    public static string Link(byte[] chainKey, string prev, ReadOnlySpan<byte> entry)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, chainKey);
        hmac.AppendData(Encoding.ASCII.GetBytes(prev));
        hmac.AppendData(entry);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Reads a chained line (without its newline); <c>null</c> when it is not one.</summary>
    public static ChainedLine? ParseLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 9 + 2 + SuffixLength || !line.StartsWith("{\"entry\":"u8))
        {
            return null;
        }

        var suffix = line[^SuffixLength..];
        if (!suffix.StartsWith(",\"prev\":\""u8) || !suffix[73..].StartsWith("\",\"hash\":\""u8) || !suffix.EndsWith("\"}"u8))
        {
            return null;
        }

        var prev = Encoding.ASCII.GetString(suffix[9..73]);
        var hash = Encoding.ASCII.GetString(suffix[83..147]);
        if (!IsHex(prev) || !IsHex(hash))
        {
            return null;
        }

        var entry = line[9..^SuffixLength].ToArray();
        try
        {
            using var document = JsonDocument.Parse(entry);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var number))
            {
                return null;
            }

            var kind = root.TryGetProperty("event", out var value) ? value.GetString() : null;
            string? tornSha = null;
            long tornBytes = -1;
            if (kind == "resumed")
            {
                tornSha = root.TryGetProperty("torn_sha256", out var sha) ? sha.GetString() : null;
                tornBytes = root.TryGetProperty("torn_bytes", out var bytes) && bytes.TryGetInt64(out var n) ? n : -1;
            }

            return new ChainedLine(number, entry, prev, hash, kind, tornBytes, tornSha);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the end of a journal file at start-up: where its chain continues, and whether the lines after its
    /// last checkpoint (the only ones no signature covers yet) are intact under <paramref name="chainKey"/>.
    /// </summary>
    public static JournalScan Scan(FileStream file, byte[] chainKey)
    {
        if (file.Length == 0)
        {
            return JournalScan.Empty;
        }

        // Read back from the end until a checkpoint is in view (or the whole file is): the tail after it is short.
        var window = Math.Min(file.Length, 1L << 20);
        while (true)
        {
            var bytes = new byte[window];
            file.Seek(-window, SeekOrigin.End);
            file.ReadExactly(bytes);
            var atStart = window == file.Length;
            var text = bytes.AsSpan();
            if (!atStart)
            {
                text = text[(text.IndexOf((byte)'\n') + 1)..];
            }

            var lines = Split(text);
            var lastCheckpoint = lines.FindLastIndex(l => l.Terminated && JournalCheckpoint.Parse(l.Bytes) is not null);
            if (lastCheckpoint >= 0 || atStart)
            {
                return ScanTail(lines, lastCheckpoint, chainKey);
            }

            window = Math.Min(file.Length, window * 4);
        }
    }

    private static JournalScan ScanTail(List<RawLine> lines, int lastCheckpoint, byte[] chainKey)
    {
        // A last line that is not a journal line was cut short by a crash: it is not part of the chain.
        byte[]? torn = null;
        var needsNewline = false;
        var end = lines.Count;
        if (end > 0 && (!lines[^1].Terminated || (ParseLine(lines[^1].Bytes) is null && JournalCheckpoint.Parse(lines[^1].Bytes) is null)))
        {
            torn = lines[^1].Bytes;
            needsNewline = !lines[^1].Terminated;
            end--;
        }

        string? prev = null;
        long seq = 0;
        if (lastCheckpoint >= 0)
        {
            var checkpoint = JournalCheckpoint.Parse(lines[lastCheckpoint].Bytes)!;
            (prev, seq) = (checkpoint.Head, checkpoint.Seq);
        }

        // The old unkeyed format: no checkpoint, and the last line linked by plain SHA-256.
        if (lastCheckpoint < 0 && end > 0 && ParseLine(lines[end - 1].Bytes) is { } final
            && final.Hash == Convert.ToHexStringLower(SHA256.HashData([.. Encoding.ASCII.GetBytes(final.Prev), .. final.Entry])))
        {
            return JournalScan.LegacyFormat;
        }

        var unsigned = 0;
        byte[]? pendingTorn = null;
        for (var i = lastCheckpoint + 1; i < end; i++)
        {
            var bytes = lines[i].Bytes;
            if (ParseLine(bytes) is not { } line)
            {
                if (JournalCheckpoint.Parse(bytes) is not null || pendingTorn is not null)
                {
                    return JournalScan.Broken($"line {i - lastCheckpoint} after the last checkpoint is out of place");
                }

                pendingTorn = bytes; // a torn line, acknowledged by the resumed entry that must follow
                continue;
            }

            if (pendingTorn is not null)
            {
                if (line.Event != "resumed" || line.TornBytes != pendingTorn.Length || line.TornSha256 != Convert.ToHexStringLower(SHA256.HashData(pendingTorn)))
                {
                    return JournalScan.Broken($"the line before seq {line.Seq} is not a journal line and no resumed entry accounts for it");
                }

                pendingTorn = null;
            }

            if (prev is not null && line.Prev != prev)
            {
                return JournalScan.Broken($"line seq {line.Seq} does not follow the line before it (removed, reordered or rewritten lines)");
            }

            if (seq != 0 && line.Seq != seq + 1)
            {
                return JournalScan.Broken($"line seq {line.Seq} follows seq {seq}");
            }

            if (Link(chainKey, line.Prev, line.Entry) != line.Hash)
            {
                return JournalScan.Broken($"line seq {line.Seq} does not carry its HMAC under the chain key (written or changed without the key, or the key changed)");
            }

            (prev, seq) = (line.Hash, line.Seq);
            unsigned++;
        }

        if (pendingTorn is not null)
        {
            return JournalScan.Broken("a line before the end is not a journal line and no resumed entry accounts for it");
        }

        return new JournalScan(prev ?? Genesis, seq, unsigned, torn, needsNewline, HasChain: prev is not null, Legacy: false, Problem: null);
    }

    private static List<RawLine> Split(ReadOnlySpan<byte> text)
    {
        var lines = new List<RawLine>();
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            if (end < 0)
            {
                lines.Add(new RawLine(text.ToArray(), Terminated: false));
                break;
            }

            lines.Add(new RawLine(text[..end].ToArray(), Terminated: true));
            text = text[(end + 1)..];
        }

        return lines;
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct RawLine(byte[] Bytes, bool Terminated);
}

/// <summary>A chained line as read back.</summary>
/// <param name="Seq">Its seq.</param>
/// <param name="Entry">ENTRY's bytes as written.</param>
/// <param name="Prev">PREV.</param>
/// <param name="Hash">HASH.</param>
/// <param name="Event">The gateway event (<c>resumed</c>), or <c>null</c> for an access record.</param>
/// <param name="TornBytes">For <c>resumed</c>: the length of the torn line it accounts for.</param>
/// <param name="TornSha256">For <c>resumed</c>: the SHA-256 of that torn line, lowercase hex.</param>
public sealed record ChainedLine(long Seq, byte[] Entry, string Prev, string Hash, string? Event, long TornBytes, string? TornSha256);

/// <summary>What start-up found at the end of a journal file.</summary>
/// <param name="Prev">The PREV of the next line.</param>
/// <param name="Seq">The seq of the last chained line (0 when none was found).</param>
/// <param name="UnsignedLines">Chained lines after the last checkpoint.</param>
/// <param name="Torn">A last line cut short by a crash (without its newline), or <c>null</c>.</param>
/// <param name="NeedsNewline">True when the file ends in the middle of a line, which must be ended first.</param>
/// <param name="HasChain">False when the file holds no chained line or checkpoint (a fresh file after rotation, say).</param>
/// <param name="Legacy">True when the file is in the old unkeyed format (plain SHA-256 links, no checkpoint).</param>
/// <param name="Problem">Why the lines after the last checkpoint fail verification, or <c>null</c>.</param>
public sealed record JournalScan(string Prev, long Seq, int UnsignedLines, byte[]? Torn, bool NeedsNewline, bool HasChain, bool Legacy, string? Problem)
{
    /// <summary>An empty file.</summary>
    public static readonly JournalScan Empty = new(JournalChain.Genesis, 0, 0, null, false, false, false, null);

    /// <summary>A file in the old unkeyed format.</summary>
    public static readonly JournalScan LegacyFormat = new(JournalChain.Genesis, 0, 0, null, false, false, true, null);

    /// <summary>A file whose unsigned tail fails verification.</summary>
    public static JournalScan Broken(string problem) => new(JournalChain.Genesis, 0, 0, null, false, false, false, problem);
}
