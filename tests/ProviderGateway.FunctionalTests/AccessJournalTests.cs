using System.Security.Cryptography;
using System.Text;
using Grpc.Net.Client;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.FunctionalTests.Operations;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// The evidential access journal end to end: gateways write it (keyed chain, signed checkpoints, anchor, rotation,
/// crash recovery), and tools/journal/verify-journal.py, run as a process, judges it and copies tampered with.
/// </summary>
// It reads the journal's counters from a scrape: OpenTelemetry sees every gateway of the test process by meter name.
[Collection(MetricsCollection.Name)]
public sealed class AccessJournalTests
{
    private const string KarasaiIin = "791028302728";
    private const string BalkhashIin = "870909307316";

    [Fact]
    public async Task A_stopped_gateway_leaves_its_journal_signed_and_anchored_in_files_only_its_user_can_read_and_a_restart_continues_the_chain()
    {
        var path = TestSecrets.NewJournalPath();
        await RunGatewayAsync(path, calls: 3);
        await RunGatewayAsync(path, calls: 3);

        var lines = await File.ReadAllLinesAsync(path);
        var anchor = await File.ReadAllLinesAsync(path + ".anchor");
        var (exitCode, verdict) = await JournalFile.VerifyAsync(path);

        Assert.True(exitCode == 0, verdict);
        Assert.StartsWith("OK: 6 lines chained (seq 1 to 6) in 1 file, 2 checkpoints", verdict, StringComparison.Ordinal);
        Assert.Contains("signatures verified", verdict, StringComparison.Ordinal);
        Assert.Contains("unsigned tail: 0 lines", verdict, StringComparison.Ordinal);
        Assert.Contains("anchor checkpoint found in the journal (seq 6)", verdict, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], JournalFile.Entries(path).Select(e => e.GetProperty("seq").GetInt64()));
        Assert.StartsWith("{\"checkpoint\":", lines[3], StringComparison.Ordinal);   // the first gateway's shutdown checkpoint
        Assert.Equal(lines[^1], anchor[^1]);                                          // the second's, anchored
        Assert.Equal(2, anchor.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(path + ".anchor"));
    }

    [Fact]
    public async Task The_verifier_detects_lines_cut_from_the_end_through_the_anchor_and_says_what_it_cannot_see_without_one()
    {
        var path = TestSecrets.NewJournalPath();
        await RunGatewayAsync(path, calls: 5);
        var lines = await File.ReadAllLinesAsync(path);

        // head -n -4: the shutdown checkpoint and three access lines cut; the anchor kept.
        var cut = Copy(lines[..^4], anchor: path + ".anchor");
        var cutWithoutAnchor = Copy(lines[..^4]);
        var (cutExit, cutVerdict) = await JournalFile.VerifyAsync(cut);
        var (blindExit, blindVerdict) = await JournalFile.VerifyAsync(cutWithoutAnchor);

        Assert.Equal(6, lines.Length);
        Assert.Equal(1, cutExit);
        Assert.StartsWith("BROKEN: lines cut from the end (the anchor's checkpoint seq 5 is not in the journal", cutVerdict, StringComparison.Ordinal);
        Assert.True(blindExit == 0, blindVerdict);
        Assert.Contains("unsigned tail: 2 lines (no checkpoint)", blindVerdict, StringComparison.Ordinal);
        Assert.Contains("no anchor: lines cut after the last in-file checkpoint (checkpoint included) cannot be detected", blindVerdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verifier_names_an_edited_a_reordered_and_a_keyless_appended_line_and_a_forged_checkpoint()
    {
        var path = TestSecrets.NewJournalPath();
        await RunGatewayAsync(path, calls: 5);
        var lines = await File.ReadAllLinesAsync(path);
        var lastHash = System.Text.Json.JsonDocument.Parse(lines[4]).RootElement.GetProperty("hash").GetString()!;
        // A line appended by someone who can read the journal but has no chain key: right prev and seq, plain SHA-256.
        var forgedEntry = $"{{\"seq\":6,\"time\":\"2026-12-01T10:00:00.000Z\",\"client\":\"test-desk\",\"operator\":\"x\",\"purpose\":\"x\",\"method\":\"GetCitizenOverview\",\"subject_kind\":\"iin\",\"subject\":\"\",\"providers\":[],\"result\":\"OK\"}}";
        var forgedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lastHash + forgedEntry)));
        var appended = $"{{\"entry\":{forgedEntry},\"prev\":\"{lastHash}\",\"hash\":\"{forgedHash}\"}}";

        var edited = Copy(lines.Select((l, i) => i == 2 ? l.Replace("\"result\":\"OK\"", "\"result\":\"NOT_FOUND\"", StringComparison.Ordinal) : l));
        var reordered = Copy(lines.Select((l, i) => i == 1 ? lines[2] : i == 2 ? lines[1] : l));
        var extended = Copy([.. lines, appended]);
        var forgedCheckpoint = Copy(lines.Select((l, i) => i == 5 ? l.Replace("\"time\":\"20", "\"time\":\"19", StringComparison.Ordinal) : l));
        var verdicts = new List<(string Copy, int ExitCode, string Output)>();
        foreach (var copy in new[] { edited, reordered, extended, forgedCheckpoint })
        {
            var (exitCode, output) = await JournalFile.VerifyAsync(copy);
            verdicts.Add((copy, exitCode, output));
        }

        Assert.All(verdicts, v => Assert.True(v.ExitCode == 1, v.Output));
        Assert.StartsWith($"BROKEN at {edited}:3: its hash is not the HMAC of its content under the chain key", verdicts[0].Output, StringComparison.Ordinal);
        Assert.StartsWith($"BROKEN at {reordered}:2: it does not follow the line before it", verdicts[1].Output, StringComparison.Ordinal);
        Assert.StartsWith($"BROKEN at {extended}:7: its hash is not the HMAC of its content under the chain key", verdicts[2].Output, StringComparison.Ordinal);
        Assert.StartsWith($"BROKEN at {forgedCheckpoint}:6: the checkpoint's signature does not verify", verdicts[3].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_file_removed_from_the_set_is_a_gap_the_verifier_names()
    {
        var path = TestSecrets.NewJournalPath();
        await RunGatewayAsync(path, calls: 12, new GatewaySettings().WithJournal(j => j.RotateBytes(1024)));
        var stem = Path.GetFileNameWithoutExtension(path);
        var rotated = Directory.GetFiles(Path.GetDirectoryName(path)!, $"{stem}.2*.jsonl").Order(StringComparer.Ordinal).ToList();
        var (exitCode, verdict) = await JournalFile.VerifyAsync(path);

        // The same set with one rotated file (not the first) missing.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "providergateway-tests", $"set-{Guid.NewGuid():N}")).FullName;
        foreach (var file in rotated.Where((_, i) => i != 1).Append(path))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var (gapExit, gapVerdict) = await JournalFile.VerifyAsync(Path.Combine(folder, Path.GetFileName(path)));

        Assert.True(rotated.Count >= 3, $"{rotated.Count} rotated files");
        Assert.All(rotated, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(f)));
        Assert.True(exitCode == 0, verdict);
        Assert.StartsWith($"OK: 12 lines chained (seq 1 to 12) in {rotated.Count + 1} files", verdict, StringComparison.Ordinal);
        Assert.Equal(1, gapExit);
        Assert.Matches(@"^BROKEN: seq \d+ to \d+ are missing between .* \(a rotated file was removed from the set\?\)", gapVerdict);
    }

    [Fact]
    public async Task A_journal_torn_by_a_killed_gateway_verifies_as_torn_and_a_restart_acknowledges_the_torn_line_and_signs_the_tail()
    {
        var path = TestSecrets.NewJournalPath();
        var process = await GatewayProcess.StartAsync(GatewaySettings.ForTests(path));
        await using (process)
        {
            using var channel = GrpcChannel.ForAddress($"http://{process.GrpcAuthority}");
            var desk = TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
            for (var i = 0; i < 3; i++)
            {
                await desk.ListBenefitsAsync(new ListBenefitsRequest { Iin = KarasaiIin });
            }

            // Records are written within milliseconds of the answer; wait (with a deadline) until all three are.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while ((!File.Exists(path) || File.ReadAllLines(path).Length < 3) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        } // kill -9, before any checkpoint (the interval is 10 s)

        // The crash cut the next write in the middle of a line.
        var written = await File.ReadAllLinesAsync(path);
        await File.AppendAllTextAsync(path, written[^1][..80]);
        var (tornExit, tornVerdict) = await JournalFile.VerifyAsync(path);

        await RunGatewayAsync(path, calls: 1);
        var (exitCode, verdict) = await JournalFile.VerifyAsync(path);
        var lines = await File.ReadAllLinesAsync(path);

        Assert.Equal(3, written.Length);
        Assert.True(tornExit == 0, tornVerdict);
        Assert.Contains("unsigned tail: 3 lines (no checkpoint)", tornVerdict, StringComparison.Ordinal);
        Assert.Contains($"note: torn tail: the last line ({path}:4, 80 bytes) was cut short", tornVerdict, StringComparison.Ordinal);
        Assert.True(exitCode == 0, verdict);
        Assert.Contains($"note: torn line at {path}:4 (80 bytes) left by a crash, acknowledged by the resumed entry seq 4", verdict, StringComparison.Ordinal);
        Assert.Contains("unsigned tail: 0 lines", verdict, StringComparison.Ordinal);
        Assert.Contains("\"event\":\"resumed\"", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("{\"checkpoint\":{\"instance\":", lines[5], StringComparison.Ordinal); // the start-up checkpoint over the crash's tail
        Assert.Equal([1L, 2L, 3L, 5L], JournalFile.Entries(path).Select(e => e.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task Start_up_refuses_a_journal_whose_tail_was_written_without_the_chain_key()
    {
        var path = TestSecrets.NewJournalPath();
        await RunGatewayAsync(path, calls: 2);
        var lines = await File.ReadAllLinesAsync(path);
        var lastHash = System.Text.Json.JsonDocument.Parse(lines[1]).RootElement.GetProperty("hash").GetString()!;
        var entry = "{\"seq\":3,\"time\":\"2026-12-01T10:00:00.000Z\",\"client\":\"test-desk\",\"result\":\"OK\"}";
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.ASCII.GetBytes("a guessed key, not the journal's chain key"), Encoding.UTF8.GetBytes(lastHash + entry)));
        await File.AppendAllTextAsync(path, $"{{\"entry\":{entry},\"prev\":\"{lastHash}\",\"hash\":\"{hash}\"}}\n");

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => RunGatewayAsync(path, calls: 0));

        Assert.Contains("fails verification after its last signed checkpoint: line seq 3 does not carry its HMAC under the chain key", error.Message, StringComparison.Ordinal);
        Assert.Contains("tools/journal/verify-journal.py", error.Message, StringComparison.Ordinal);
        Assert.Contains("move the file (and its rotated siblings) aside", error.Message, StringComparison.Ordinal);
        Assert.Equal(lines.Length + 1, (await File.ReadAllLinesAsync(path)).Length); // nothing signed, nothing added
    }

    [Fact]
    public async Task A_journal_in_the_old_unkeyed_format_is_set_aside_and_a_new_chain_starts()
    {
        var path = TestSecrets.NewJournalPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var entry = "{\"seq\":1,\"time\":\"2026-11-01T10:00:00.000Z\",\"client\":\"test-desk\",\"result\":\"OK\"}";
        var zeros = new string('0', 64);
        var legacy = $"{{\"entry\":{entry},\"prev\":\"{zeros}\",\"hash\":\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(zeros + entry)))}\"}}\n";
        await File.WriteAllTextAsync(path, legacy);

        await RunGatewayAsync(path, calls: 1);

        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}.legacy-*.jsonl"));
        var (exitCode, verdict) = await JournalFile.VerifyAsync(path);
        Assert.Equal(legacy, await File.ReadAllTextAsync(aside));
        Assert.True(exitCode == 0, verdict);
        Assert.StartsWith("OK: 1 lines chained (seq 1 to 1) in 1 file", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_are_anchored_in_Redis_under_the_instances_key()
    {
        await using var redis = await RedisServer.StartAsync();
        var path = TestSecrets.NewJournalPath();

        await RunGatewayAsync(path, calls: 2, TestGateway.WithRedis(redis).WithJournal(j => j.InstanceId("gw-test-1")));

        var lines = await File.ReadAllLinesAsync(path);
        var keys = await redis.DumpAsync();
        var anchor = Assert.Single(keys, k => k.Key == "pg:journal:anchor:gw-test-1");
        var anchorFile = Path.Combine(Path.GetDirectoryName(path)!, $"redis-anchor-{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(anchorFile, anchor.Value);
        var (exitCode, verdict) = await JournalFile.VerifyAsync(path, "--anchor", anchorFile);
        var (cutExit, cutVerdict) = await JournalFile.VerifyAsync(Copy(lines[..1]), "--anchor", anchorFile);

        Assert.Equal(lines[^1], Encoding.UTF8.GetString(anchor.Value));
        Assert.True(exitCode == 0, verdict);
        Assert.Contains("instance gw-test-1", verdict, StringComparison.Ordinal);
        Assert.Equal(1, cutExit);
        Assert.StartsWith("BROKEN: lines cut from the end (the anchor's checkpoint seq 2 is not in the journal", cutVerdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_is_signed_once_the_interval_passes_and_the_journals_meter_is_exported()
    {
        var path = TestSecrets.NewJournalPath();
        var settings = new GatewaySettings().WithJournal(j => j.Path(path).CheckpointInterval(TimeSpan.FromMilliseconds(200)));
        await using var gateway = await TestGateway.StartAsync(settings: settings);

        await gateway.FrontDesk.ListBenefitsAsync(new ListBenefitsRequest { Iin = KarasaiIin });
        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (scrape.Value("providergateway_journal_checkpoints_written_total") < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);
        }

        var lines = await File.ReadAllLinesAsync(path); // the gateway still runs: the checkpoint came from the interval
        Assert.Equal(1, scrape.Value("providergateway_journal_checkpoints_written_total"));
        Assert.Equal(1, scrape.Value("providergateway_journal_records_written_total"));
        Assert.Equal(0, scrape.Value("providergateway_journal_anchor_failures_total"));
        // The queue's length and the calls refused for a full journal reach /metrics too (both at zero here).
        Assert.Single(scrape.Series("providergateway_journal_queue_length"));
        Assert.Equal(0, scrape.Value("providergateway_journal_queue_length"));
        Assert.Single(scrape.Series("providergateway_journal_calls_refused_total"));
        Assert.Equal(0, scrape.Value("providergateway_journal_calls_refused_total"));
        Assert.Single(scrape.Series("providergateway_journal_records_dropped_total"));
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"checkpoint\":{\"instance\":", lines[1], StringComparison.Ordinal);
        Assert.Equal(lines[1], (await File.ReadAllLinesAsync(path + ".anchor"))[^1]);
    }

    /// <summary>Runs an embedded gateway on the journal <paramref name="path"/>, makes personal-data calls, stops it.</summary>
    private static async Task RunGatewayAsync(string path, int calls, GatewaySettings? more = null)
    {
        var settings = new GatewaySettings().WithJournal(j => j.Path(path)).With(more);
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        for (var i = 0; i < calls; i++)
        {
            await gateway.FrontDesk.ListBenefitsAsync(new ListBenefitsRequest { Iin = i % 2 == 0 ? KarasaiIin : BalkhashIin });
        }
    }

    /// <summary>A file's Unix mode (Windows has none to check: the expected one is returned).</summary>
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path);

    /// <summary>A copy of a journal (and optionally its anchor) in a folder of its own; returns the copy's path.</summary>
    private static string Copy(IEnumerable<string> lines, string? anchor = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "providergateway-tests", $"copy-{Guid.NewGuid():N}")).FullName;
        var path = Path.Combine(folder, "journal.jsonl");
        File.WriteAllLines(path, lines);
        if (anchor is not null)
        {
            File.Copy(anchor, path + ".anchor");
        }

        return path;
    }
}
