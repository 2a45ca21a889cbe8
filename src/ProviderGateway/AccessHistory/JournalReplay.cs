using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ProviderGateway.Audit;

namespace ProviderGateway.AccessHistory;

/// <summary>A line of a journal file as the access history reads it back.</summary>
/// <param name="Seq">The chained line's seq, or the checkpoint's.</param>
/// <param name="Hash">The chained line's hash, or the checkpoint's head (the hash of line <paramref name="Seq"/>).</param>
/// <param name="Access">What the line records about a citizen, or <c>null</c> (another subject, none, a gateway event).</param>
/// <param name="Checkpoint">The instance a checkpoint line names; <c>null</c> for a chained line.</param>
public readonly record struct JournalItem(long Seq, string Hash, IndexedAccess? Access, string? Checkpoint);

/// <summary>
/// Reads journal files back for the access history (<c>JournalChain</c>'s format): the chained lines after a seq, each
/// with what it records about a citizen, and the checkpoints. Lines that do not parse are skipped (the journal's verifier
/// reports them; the index only leaves them out), and so is a last line without its newline (being written, or torn).
/// The chain is not verified here: that is <c>tools/journal/verify-journal.py</c>'s work.
/// </summary>
public static class JournalReplay
{
    // ,"prev":"<64>","hash":"<64>"}
    private const int SuffixLength = 149;
    private static readonly byte[] EntryPrefix = "{\"entry\":"u8.ToArray();
    private static readonly byte[] SeqPrefix = "{\"seq\":"u8.ToArray();
    private static readonly byte[] CheckpointPrefix = "{\"checkpoint\":"u8.ToArray();

    /// <summary>
    /// The files of the journal at <paramref name="path"/> that may hold lines after seq <paramref name="after"/>, in the
    /// chain's order: the rotated ones whose last seq is not before it, then the current file.
    /// </summary>
    public static IEnumerable<string> FilesFrom(string path, long after)
    {
        foreach (var (file, lastSeq) in JournalFiles.Rotated(path))
        {
            if (lastSeq >= after)
            {
                yield return file;
            }
        }

        if (File.Exists(path))
        {
            yield return path;
        }
    }

    /// <summary>
    /// The lines of <paramref name="file"/> (chained lines of instance <paramref name="instance"/>'s journal after seq
    /// <paramref name="after"/>, the line of seq <paramref name="after"/> itself without its access, so that its hash can be
    /// compared; and checkpoints), in file order. A missing file has none.
    /// </summary>
    public static IEnumerable<JournalItem> Read(string file, string instance, long after)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            yield break;
        }

        using (stream)
        {
            var buffer = new byte[1 << 16];
            int start = 0, end = 0;
            while (true)
            {
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        (end, start) = (end - start, 0);
                    }

                    if (end == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var read = stream.Read(buffer, end, buffer.Length - end);
                    if (read == 0)
                    {
                        yield break;
                    }

                    end += read;
                    continue;
                }

                var item = Parse(buffer.AsSpan(start, newline), instance, after);
                start += newline + 1;
                if (item is { } line)
                {
                    yield return line;
                }
            }
        }
    }

    /// <summary>
    /// The last checkpoint of the journal at <paramref name="path"/> (its current file, else its newest rotated one, which
    /// ends with one): the instance it names and the last line it covers; <c>null</c> when there is none.
    /// </summary>
    public static (string Instance, long Seq)? LastCheckpoint(string path)
    {
        foreach (var file in FilesFrom(path, 0).Reverse())
        {
            (string, long)? last = null;
            foreach (var item in Read(file, "", long.MaxValue))
            {
                if (item.Checkpoint is { } instance)
                {
                    last = (instance, item.Seq);
                }
            }

            if (last is not null)
            {
                return last;
            }
        }

        return null;
    }

    /// <summary>What one line of a journal file is, as <see cref="Read"/> yields it; <c>null</c> when it is skipped.</summary>
    public static JournalItem? Parse(ReadOnlySpan<byte> line, string instance, long after)
    {
        if (line.StartsWith(CheckpointPrefix))
        {
            return JournalCheckpoint.Parse(line) is { } checkpoint ? new JournalItem(checkpoint.Seq, checkpoint.Head, null, checkpoint.Instance) : null;
        }

        if (line.Length < EntryPrefix.Length + 2 + SuffixLength || !line.StartsWith(EntryPrefix))
        {
            return null;
        }

        var suffix = line[^SuffixLength..];
        if (!suffix.StartsWith(",\"prev\":\""u8) || !suffix[73..].StartsWith("\",\"hash\":\""u8) || !suffix.EndsWith("\"}"u8) || !IsHex(suffix[83..147]))
        {
            return null;
        }

        var entry = line[EntryPrefix.Length..^SuffixLength];

        // The writer puts seq first: lines before the one asked for are skipped without parsing them.
        if (entry.StartsWith(SeqPrefix) && Utf8Parser.TryParse(entry[SeqPrefix.Length..], out long quick, out var used)
            && entry.Length > SeqPrefix.Length + used && entry[SeqPrefix.Length + used] == (byte)',' && quick < after)
        {
            return null;
        }

        var hash = Encoding.ASCII.GetString(suffix[83..147]);
        try
        {
            return ParseEntry(entry, hash, instance, after);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static JournalItem? ParseEntry(ReadOnlySpan<byte> entry, string hash, string instance, long after)
    {
        var reader = new Utf8JsonReader(entry);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        long? seq = null;
        DateTimeOffset? time = null;
        string? client = null, op = null, purpose = null, method = null, kind = null, subject = null, result = null, consent = null, reason = null;
        List<string>? providers = null;
        var isEvent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return null;
            }

            if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                seq = number;
            }
            else if (name.SequenceEqual("providers"u8) && reader.TokenType == JsonTokenType.StartArray)
            {
                providers = ReadProviderIds(ref reader);
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                if (name.SequenceEqual("time"u8))
                {
                    time = DateTimeOffset.ParseExact(reader.GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                }
                else if (name.SequenceEqual("client"u8))
                {
                    client = reader.GetString();
                }
                else if (name.SequenceEqual("operator"u8))
                {
                    op = reader.GetString();
                }
                else if (name.SequenceEqual("purpose"u8))
                {
                    purpose = reader.GetString();
                }
                else if (name.SequenceEqual("method"u8))
                {
                    method = reader.GetString();
                }
                else if (name.SequenceEqual("subject_kind"u8))
                {
                    kind = reader.GetString();
                }
                else if (name.SequenceEqual("subject"u8))
                {
                    subject = reader.GetString();
                }
                else if (name.SequenceEqual("result"u8))
                {
                    result = reader.GetString();
                }
                else if (name.SequenceEqual("consent"u8))
                {
                    consent = reader.GetString();
                }
                else if (name.SequenceEqual("reason"u8))
                {
                    reason = reader.GetString();
                }
                else if (name.SequenceEqual("event"u8))
                {
                    isEvent = true;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (seq is not { } s || s < after)
        {
            return null;
        }

        // The line asked for is only compared (its hash); a gateway event, or a line about no citizen, moves the position on.
        if (s == after || isEvent || kind != IndexedAccess.CitizenSubjectKind || subject is null || !IndexedAccess.IsSubjectHash(subject)
            || time is not { } at || string.IsNullOrEmpty(client) || string.IsNullOrEmpty(method) || string.IsNullOrEmpty(result))
        {
            return new JournalItem(s, hash, null, null);
        }

        return new JournalItem(s, hash, new IndexedAccess(
            instance, s, at, subject, client, IndexedAccess.WithoutIin(op ?? ""), IndexedAccess.WithoutIin(purpose ?? ""), method, IndexedAccess.Distinct(providers ?? []), consent, result, reason), null);
    }

    private static List<string> ReadProviderIds(ref Utf8JsonReader reader)
    {
        var ids = new List<string>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    ids.Add(reader.GetString()!);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return ids;
    }

    private static bool IsHex(ReadOnlySpan<byte> value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }
}
