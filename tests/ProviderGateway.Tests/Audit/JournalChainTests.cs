using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ProviderGateway.Audit;

namespace ProviderGateway.Tests.Audit;

public sealed class JournalChainTests : IDisposable
{
    private static readonly byte[] ChainKey = Encoding.ASCII.GetBytes("chain-key-of-the-unit-tests-0123456789");
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pg-journal-unit-{Guid.NewGuid():N}.jsonl");

    private static AccessRecord Record(string result = "OK") => new(
        new DateTimeOffset(2026, 11, 28, 5, 0, 0, 123, TimeSpan.Zero),
        "karasai-office",
        "op-17",
        "citizen-enquiry",
        "GetCitizenOverview",
        "iin",
        new string('a', 64),
        [new ProviderTouch("alatau-power", "OK", "CACHED"), new ProviderTouch("teplo-service", "UNAVAILABLE", "")],
        result);

    [Fact]
    public void A_line_is_its_entry_the_previous_hash_and_the_HMAC_of_both_under_the_chain_key()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new JournalLineWriter(ChainKey);

        var hash = writer.Write(buffer, Record(), 1, JournalChain.Genesis);

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        var entryText = line[9..line.IndexOf(",\"prev\":", StringComparison.Ordinal)];
        Assert.StartsWith("{\"entry\":{\"seq\":1,\"time\":\"2026-11-28T05:00:00.123Z\",\"client\":\"karasai-office\"", line, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(ChainKey, Encoding.UTF8.GetBytes(JournalChain.Genesis + entryText))), hash);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JournalChain.Genesis + entryText))), hash);
        using var parsed = JsonDocument.Parse(line);
        Assert.Equal(JournalChain.Genesis, parsed.RootElement.GetProperty("prev").GetString());
        Assert.Equal(hash, parsed.RootElement.GetProperty("hash").GetString());
        Assert.False(parsed.RootElement.GetProperty("entry").TryGetProperty("event", out _));
        Assert.Equal(new ChainedLine(1, Encoding.UTF8.GetBytes(entryText), JournalChain.Genesis, hash, null, -1, null) with { Entry = [] },
            JournalChain.ParseLine(buffer.WrittenSpan[..^1])! with { Entry = [] });
    }

    [Fact]
    public void A_checkpoint_is_signed_over_its_exact_bytes_and_fails_verification_when_they_change()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        using var signer = new JournalSigner(ECDsa.Create(key.ExportParameters(includePrivateParameters: true)));
        var buffer = new ArrayBufferWriter<byte>();

        var checkpoint = signer.Sign(buffer, "gw-1", 7, new string('b', 64), Noon);

        var line = Encoding.UTF8.GetBytes(checkpoint.Line);
        Assert.Equal(checkpoint.Line + "\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.StartsWith(
            $"{{\"checkpoint\":{{\"instance\":\"gw-1\",\"seq\":7,\"head\":\"{new string('b', 64)}\",\"time\":\"2026-11-28T12:00:00.000Z\",\"key_id\":\"{signer.KeyId}\"}},\"sig\":\"",
            checkpoint.Line,
            StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16], signer.KeyId);
        Assert.Equal(("gw-1", 7L, new string('b', 64)), (JournalCheckpoint.Parse(line)!.Instance, JournalCheckpoint.Parse(line)!.Seq, JournalCheckpoint.Parse(line)!.Head));
        Assert.True(JournalCheckpoint.Verify(publicKey, line));
        Assert.False(JournalCheckpoint.Verify(publicKey, Encoding.UTF8.GetBytes(checkpoint.Line.Replace("\"seq\":7", "\"seq\":8", StringComparison.Ordinal))));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(JournalCheckpoint.Verify(other, line));
    }

    [Fact]
    public void Scan_continues_after_the_last_line_and_counts_the_lines_after_the_last_checkpoint()
    {
        var (buffer, hashes) = Journal(lines: 5, checkpointAfter: 3);
        File.WriteAllBytes(_path, buffer.WrittenSpan.ToArray());

        using var file = new FileStream(_path, FileMode.Open);
        var scan = JournalChain.Scan(file, ChainKey);

        Assert.Null(scan.Problem);
        Assert.Equal((hashes[^1], 5L, 2, true), (scan.Prev, scan.Seq, scan.UnsignedLines, scan.HasChain));
        Assert.Null(scan.Torn);
        Assert.False(scan.Legacy);
    }

    [Fact]
    public void Scan_names_a_line_after_the_last_checkpoint_that_was_written_without_the_chain_key()
    {
        var (buffer, hashes) = Journal(lines: 4, checkpointAfter: 3);
        using var forger = new JournalLineWriter(Encoding.ASCII.GetBytes("a-different-key-of-at-least-32-bytes!!"));
        forger.Write(buffer, Record("NOT_FOUND"), 5, hashes[^1]);
        File.WriteAllBytes(_path, buffer.WrittenSpan.ToArray());

        using var file = new FileStream(_path, FileMode.Open);
        var scan = JournalChain.Scan(file, ChainKey);

        Assert.StartsWith("line seq 5 does not carry its HMAC under the chain key", scan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_sets_a_torn_last_line_apart_and_continues_from_the_last_good_line()
    {
        var (buffer, hashes) = Journal(lines: 3, checkpointAfter: 2);
        var good = buffer.WrittenSpan.ToArray();
        using var writer = new JournalLineWriter(ChainKey);
        writer.Write(buffer, Record(), 4, hashes[^1]);
        var torn = buffer.WrittenSpan[good.Length..(good.Length + 40)].ToArray();
        File.WriteAllBytes(_path, [.. good, .. torn]);

        using var file = new FileStream(_path, FileMode.Open);
        var scan = JournalChain.Scan(file, ChainKey);

        Assert.Null(scan.Problem);
        Assert.Equal((hashes[^1], 3L, 1), (scan.Prev, scan.Seq, scan.UnsignedLines));
        Assert.Equal(torn, scan.Torn);
        Assert.True(scan.NeedsNewline);
    }

    [Fact]
    public void A_resumed_entry_records_the_torn_lines_length_and_SHA_256_and_a_later_scan_accepts_it()
    {
        var (buffer, hashes) = Journal(lines: 2, checkpointAfter: 0);
        var torn = "{\"entry\":{\"seq\":3,\"ti"u8.ToArray();
        buffer.Write(torn);
        buffer.Write("\n"u8);
        using var writer = new JournalLineWriter(ChainKey);

        var hash = writer.WriteResumed(buffer, 3, hashes[^1], Noon, "gw-1", torn);
        File.WriteAllBytes(_path, buffer.WrittenSpan.ToArray());
        using var file = new FileStream(_path, FileMode.Open);
        var scan = JournalChain.Scan(file, ChainKey);

        var resumed = JournalChain.ParseLine(Encoding.UTF8.GetBytes(File.ReadAllLines(_path)[^1]))!;
        Assert.Equal(("resumed", (long)torn.Length, Convert.ToHexStringLower(SHA256.HashData(torn))), (resumed.Event, resumed.TornBytes, resumed.TornSha256));
        Assert.Null(scan.Problem);
        Assert.Equal((hash, 3L, 3), (scan.Prev, scan.Seq, scan.UnsignedLines));
    }

    [Fact]
    public void Scan_recognises_a_journal_in_the_old_unkeyed_format()
    {
        var entry = "{\"seq\":1,\"time\":\"2026-11-28T05:00:00.123Z\",\"result\":\"OK\"}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JournalChain.Genesis + entry)));
        File.WriteAllText(_path, $"{{\"entry\":{entry},\"prev\":\"{JournalChain.Genesis}\",\"hash\":\"{hash}\"}}\n");

        using var file = new FileStream(_path, FileMode.Open);
        var scan = JournalChain.Scan(file, ChainKey);

        Assert.True(scan.Legacy);
        Assert.Null(scan.Problem);
    }

    [Fact]
    public void Rotated_and_legacy_names_sort_by_seq_and_carry_the_time()
    {
        Assert.Equal("access.20261128T120000Z-s000000000042.jsonl", Path.GetFileName(JournalFiles.RotatedName("/var/log/pg/access.jsonl", Noon, 42)));
        Assert.Equal("access.legacy-20261128T120000Z.jsonl", Path.GetFileName(JournalFiles.LegacyName("/var/log/pg/access.jsonl", Noon)));
        Assert.Equal("gw-01.example.kz", JournalFiles.InstanceId(null, "GW_01.Example.KZ"));
        Assert.Equal("configured", JournalFiles.InstanceId("configured", "ignored"));
    }

    public void Dispose() => File.Delete(_path);

    private static (ArrayBufferWriter<byte> Buffer, List<string> Hashes) Journal(int lines, int checkpointAfter)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new JournalLineWriter(ChainKey);
        using var signer = new JournalSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var hashes = new List<string>();
        var prev = JournalChain.Genesis;
        for (var seq = 1; seq <= lines; seq++)
        {
            prev = writer.Write(buffer, Record(), seq, prev);
            hashes.Add(prev);
            if (seq == checkpointAfter)
            {
                signer.Sign(buffer, "gw-1", seq, prev, Noon);
            }
        }

        return (buffer, hashes);
    }
}
