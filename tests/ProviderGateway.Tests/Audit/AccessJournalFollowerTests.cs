using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Audit;

/// <summary>The journal written to a real file: what its followers are handed, and where the chain resumes after a rotation.</summary>
public sealed class AccessJournalFollowerTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-journal-follower-").FullName;

    private string Path => System.IO.Path.Combine(_folder, "journal.jsonl");

    [Fact]
    public async Task A_follower_is_handed_every_chained_line_once_in_seq_order_with_the_hash_the_file_holds()
    {
        var follower = new RecordingFollower();
        var journal = Journal(follower);
        await journal.StartAsync(CancellationToken.None);
        for (var i = 0; i < 2_500; i++)
        {
            Assert.True(journal.Admit());
            journal.Append(Record(i));
        }

        await journal.StopAsync(CancellationToken.None);
        journal.Dispose();

        var written = ChainedLines(Path);
        Assert.Equal(2_500, written.Count);
        Assert.Equal(written.Select(l => (l.Seq, l.Hash)), follower.Lines.Select(l => (l.Seq, l.Hash)));
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => $"op-{i}"), follower.Lines.Select(l => l.Record!.OperatorId));
        Assert.All(follower.Instances, instance => Assert.Equal("gw-test", instance));
    }

    [Fact]
    public async Task The_last_lines_of_a_burst_are_synced_and_handed_over_within_a_second_not_at_the_next_checkpoint()
    {
        var follower = new RecordingFollower();
        var journal = Journal(TimeSpan.FromHours(1), follower);
        await journal.StartAsync(CancellationToken.None);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            journal.Admit();
            journal.Append(Record(i));
        }

        await follower.Received(3).WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = started.Elapsed;
        await journal.StopAsync(CancellationToken.None);
        journal.Dispose();

        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"handed over after {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_follower_that_throws_does_not_stop_the_journal()
    {
        var journal = Journal(new ThrowingFollower());
        await journal.StartAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            journal.Admit();
            journal.Append(Record(i));
        }

        await journal.StopAsync(CancellationToken.None);
        journal.Dispose();

        Assert.Equal(10, ChainedLines(Path).Count);
    }

    [Fact]
    public async Task After_a_rotation_left_no_current_file_the_chain_resumes_from_the_newest_rotated_file()
    {
        var first = Journal();
        await first.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            first.Admit();
            first.Append(Record(i));
        }

        await first.StopAsync(CancellationToken.None);
        first.Dispose();
        var last = ChainedLines(Path)[^1];
        // What the writer's rotation leaves when nothing is written after it: the closed file renamed, no current file.
        File.Move(Path, JournalFiles.RotatedName(Path, DateTimeOffset.UtcNow, last.Seq));

        var second = Journal();
        await second.StartAsync(CancellationToken.None);
        second.Admit();
        second.Append(Record(5));
        await second.StopAsync(CancellationToken.None);
        second.Dispose();

        var resumed = Assert.Single(ChainedLines(Path));
        Assert.Equal(last.Seq + 1, resumed.Seq);
        Assert.Equal(last.Hash, resumed.Prev);
        Assert.Equal(JournalFiles.NewestRotated(Path), Assert.Single(JournalFiles.Rotated(Path)).File);
    }

    [Fact]
    public void Rotated_files_are_listed_in_the_chains_order_and_other_siblings_are_left_out()
    {
        var noon = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        foreach (var name in new[]
        {
            JournalFiles.RotatedName(Path, noon, 2_000),
            JournalFiles.RotatedName(Path, noon.AddHours(1), 999),
            JournalFiles.RotatedName(Path, noon.AddHours(-1), 10_000),
            JournalFiles.LegacyName(Path, noon),
            Path + ".anchor",
            System.IO.Path.Combine(_folder, "journal.access-history.db"),
        })
        {
            File.WriteAllText(name, "");
        }

        Assert.Equal([999L, 2_000L, 10_000L], JournalFiles.Rotated(Path).Select(r => r.LastSeq));
        Assert.EndsWith("-s000000010000.jsonl", JournalFiles.NewestRotated(Path), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static AccessRecord Record(int i) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(i), "desk", $"op-{i}", "purpose", "GetCitizenOverview", "iin", new string('a', 64), [], "OK");

    private static List<ChainedLine> ChainedLines(string path) =>
        [.. File.ReadAllLines(path).Select(l => JournalChain.ParseLine(Encoding.UTF8.GetBytes(l))).OfType<ChainedLine>()];

    private AccessJournal Journal(params IJournalFollower[] followers) => Journal(TimeSpan.FromSeconds(10), followers);

    private AccessJournal Journal(TimeSpan checkpointInterval, params IJournalFollower[] followers) => new(
        Options.Create(new SecurityOptions
        {
            Journal = new JournalOptions
            {
                Path = Path,
                InstanceId = "gw-test",
                SubjectKey = TestSecrets.SubjectKey,
                ChainKey = TestSecrets.ChainKey,
                SigningKey = TestSecrets.SigningKeyPath,
                CheckpointEveryLines = 1_000,
                CheckpointInterval = checkpointInterval,
                RotateDaily = false,
            },
        }),
        NullLogger<AccessJournal>.Instance,
        _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
        TimeProvider.System,
        [],
        followers);

    private sealed class RecordingFollower : IJournalFollower
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiting = [];

        public List<JournaledLine> Lines { get; } = [];

        public List<string> Instances { get; } = [];

        /// <summary>Completes once <paramref name="count"/> lines were handed over.</summary>
        public Task Received(int count)
        {
            lock (_gate)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((count, done));
                Release();
                return done.Task;
            }
        }

        public void Written(string instance, IReadOnlyList<JournaledLine> lines)
        {
            lock (_gate)
            {
                Instances.Add(instance);
                Lines.AddRange(lines);
                Release();
            }
        }

        private void Release()
        {
            foreach (var (count, done) in _waiting.Where(w => Lines.Count >= w.Count))
            {
                done.TrySetResult();
            }
        }
    }

    private sealed class ThrowingFollower : IJournalFollower
    {
        public void Written(string instance, IReadOnlyList<JournaledLine> lines) => throw new InvalidOperationException("down");
    }
}
