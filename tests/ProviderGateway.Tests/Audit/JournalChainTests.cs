using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ProviderGateway.Audit;

namespace ProviderGateway.Tests.Audit;

public sealed class JournalChainTests : IDisposable
{
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
    public void A_line_is_its_entry_the_previous_hash_and_the_hash_of_both()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new JournalLineWriter();

        var hash = writer.Write(buffer, Record(), 1, JournalChain.Genesis);

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        var entryText = line[9..line.IndexOf(",\"prev\":", StringComparison.Ordinal)];
        Assert.StartsWith("{\"entry\":{\"seq\":1,\"time\":\"2026-11-28T05:00:00.123Z\",\"client\":\"karasai-office\"", line, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JournalChain.Genesis + entryText))), hash);
        using var parsed = JsonDocument.Parse(line);
        Assert.Equal(JournalChain.Genesis, parsed.RootElement.GetProperty("prev").GetString());
        Assert.Equal(hash, parsed.RootElement.GetProperty("hash").GetString());
        Assert.Equal("UNAVAILABLE", parsed.RootElement.GetProperty("entry").GetProperty("providers")[1].GetProperty("code").GetString());
    }

    [Fact]
    public void Resume_continues_after_the_last_line_or_from_the_start_of_an_empty_journal()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new JournalLineWriter();
        var first = writer.Write(buffer, Record(), 1, JournalChain.Genesis);
        var second = writer.Write(buffer, Record("NOT_FOUND"), 2, first);
        File.WriteAllBytes(_path, buffer.WrittenSpan.ToArray());

        using (var empty = new FileStream(_path + ".empty", FileMode.Create))
        {
            Assert.Equal(new JournalTail(JournalChain.Genesis, 0, false, false), JournalChain.Resume(empty));
        }

        File.Delete(_path + ".empty");
        using var file = new FileStream(_path, FileMode.Open);
        Assert.Equal(new JournalTail(second, 2, false, false), JournalChain.Resume(file));
    }

    [Fact]
    public void A_line_cut_short_is_chained_onto_by_the_hash_of_its_bytes_and_ended_first()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new JournalLineWriter();
        var first = writer.Write(buffer, Record(), 1, JournalChain.Genesis);
        var complete = buffer.WrittenSpan.ToArray();
        writer.Write(buffer, Record(), 2, first);
        var cut = buffer.WrittenSpan[..(complete.Length + 40)].ToArray();
        File.WriteAllBytes(_path, cut);

        using var file = new FileStream(_path, FileMode.Open);
        var tail = JournalChain.Resume(file);

        Assert.True(tail.Damaged);
        Assert.True(tail.NeedsNewline);
        Assert.Equal(2, tail.Seq);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(cut[complete.Length..])), tail.Prev);
    }

    public void Dispose() => File.Delete(_path);
}
