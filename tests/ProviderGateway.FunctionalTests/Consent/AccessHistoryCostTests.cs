using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProviderGateway.AccessHistory;
using ProviderGateway.Audit;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.Consent;

/// <summary>
/// What feeding the access history costs per journal line, off the calls' path: the live feed (lines handed over by the
/// journal's writer in its batches of 1,000, as its checkpoints hand them, at 10,000 lines a second; and a backlog handed
/// over at once) and the start-up rebuild (lines read back from the journal file), into SQLite and into a real PostgreSQL. CPU is this process's (and PostgreSQL's server processes'),
/// divided by the lines; the figures are printed (README), the bounds asserted are generous.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class AccessHistoryCostTests(ITestOutputHelper output)
{
    private const int Lines = 100_000;
    private const int BatchLines = 1_000;
    private static readonly TimeSpan PacedDuration = TimeSpan.FromSeconds(10); // Lines at 10,000 a second

    [Fact]
    public async Task Feeding_the_index_costs_microseconds_of_background_CPU_per_journal_line()
    {
        var folder = Directory.CreateTempSubdirectory("pg-history-cost-").FullName;
        await using var postgres = await PostgresServer.StartAsync();
        try
        {
            var journal = Path.Combine(folder, "journal.jsonl");
            var lines = WriteJournal(journal);
            var results = new List<string>();

            // What this process and PostgreSQL spend meanwhile doing nothing (timers, the runtime), taken off the paced figures.
            var idle = await MeasureAsync(() => Task.Delay(PacedDuration));
            results.Add(string.Create(CultureInfo.InvariantCulture, $"idle for {PacedDuration.TotalSeconds:F0} s: {idle.Cpu.TotalMilliseconds:F0} ms CPU in this process, {idle.Server.TotalMilliseconds:F0} ms in PostgreSQL (taken off the paced figures)"));
            foreach (var store in new[] { "SQLite", "PostgreSQL" })
            {
                // The live feed at 10,000 lines a second, handed over as the journal's writer hands them (a batch at each
                // checkpoint, every 1,000 lines); then a backlog of all of them at once (a database back after an outage).
                foreach (var paced in new[] { true, false })
                {
                    await using var index = await IndexAsync(store, folder, postgres, paced ? "paced" : "backlog");
                    var feeder = new AccessHistoryFeeder(index, ("gw-cost", Path.Combine(folder, "empty.jsonl")), [], 1_000_000, TimeProvider.System, NullLogger.Instance);
                    await feeder.StartAsync(CancellationToken.None);
                    await feeder.CaughtUp;
                    var (cpu, server, wall) = await MeasureAsync(async () =>
                    {
                        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
                        for (var start = 0; start < Lines; start += BatchLines)
                        {
                            if (paced)
                            {
                                await timer.WaitForNextTickAsync();
                            }

                            feeder.Written("gw-cost", lines.GetRange(start, BatchLines));
                        }

                        await feeder.WaitUntilIndexedAsync(Lines, new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
                    });
                    await feeder.StopAsync(CancellationToken.None);
                    feeder.Dispose();
                    Assert.Equal(Lines, await index.CountAsync("gw-cost"));
                    results.Add(paced
                        ? Report(store, "live feed, 10,000 lines/s", cpu - idle.Cpu, server - idle.Server, wall)
                        : Report(store, "live feed, a backlog at once", cpu, server, wall));
                    Assert.True(cpu.TotalMicroseconds / Lines < 200, results[^1]);
                }

                // The start-up rebuild: the same lines read back from the journal file.
                await using (var index = await IndexAsync(store, folder, postgres, "rebuild"))
                {
                    var feeder = new AccessHistoryFeeder(index, ("gw-cost", journal), [], 1_000_000, TimeProvider.System, NullLogger.Instance);
                    var (cpu, server, wall) = await MeasureAsync(async () =>
                    {
                        await feeder.StartAsync(CancellationToken.None);
                        await feeder.CaughtUp;
                    });
                    await feeder.StopAsync(CancellationToken.None);
                    feeder.Dispose();
                    Assert.Equal(Lines, await index.CountAsync("gw-cost"));
                    results.Add(Report(store, "rebuild from the journal file", cpu, server, wall));
                    Assert.True(cpu.TotalMicroseconds / Lines < 500, results[^1]);
                }
            }

            output.WriteLine(string.Join('\n', results));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Report(string store, string path, TimeSpan cpu, TimeSpan server, TimeSpan wall) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{store}, {path}: {cpu.TotalMicroseconds / Lines:F1} µs gateway CPU per line{(server > TimeSpan.Zero ? $" + {server.TotalMicroseconds / Lines:F1} µs in PostgreSQL" : "")}; {Lines / wall.TotalSeconds:N0} lines/s ({Lines:N0} lines in {wall.TotalMilliseconds:F0} ms)");

    private static async Task<AccessHistoryIndex> IndexAsync(string store, string folder, PostgresServer postgres, string name)
    {
        AccessHistoryIndex index;
        if (store == "SQLite")
        {
            index = new SqliteAccessHistoryIndex(Path.Combine(folder, $"{name}.access-history.db"));
        }
        else
        {
            var database = $"cost_{name}_{Guid.NewGuid():N}";
            await using (var connection = await postgres.OpenAsync())
            {
                await using var create = connection.CreateCommand();
                create.CommandText = $"CREATE DATABASE {database}";
                await create.ExecuteNonQueryAsync();
            }

            index = new PostgresAccessHistoryIndex(new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database, Pooling = true }.ConnectionString);
        }

        await index.MigrateAsync();
        return index;
    }

    // This process's CPU, PostgreSQL's server processes' CPU (from /proc), and the wall time of run.
    private static async Task<(TimeSpan Cpu, TimeSpan Server, TimeSpan Wall)> MeasureAsync(Func<Task> run)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var (cpu, server) = (process.TotalProcessorTime, PostgresCpu());
        var wall = Stopwatch.StartNew();
        await run();
        wall.Stop();
        process.Refresh();
        return (process.TotalProcessorTime - cpu, PostgresCpu() - server, wall.Elapsed);
    }

    private static TimeSpan PostgresCpu()
    {
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
                if (name == "postgres")
                {
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // A process that ended meanwhile.
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    // A journal of Lines accesses over 20,000 citizens (as the gateway writes it), and its lines as the writer hands them over.
    private static List<JournaledLine> WriteJournal(string path)
    {
        using var subjects = new SubjectHasher(Options.Create(new Configuration.SecurityOptions { Journal = new Configuration.JournalOptions { SubjectKey = TestSecrets.SubjectKey } }));
        using var writer = new JournalLineWriter(Convert.FromBase64String(TestSecrets.ChainKey));
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero);
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var lines = new List<JournaledLine>(Lines);
        var prev = JournalChain.Genesis;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        for (var seq = 1; seq <= Lines; seq++)
        {
            var record = new AccessRecord(start.AddMilliseconds(seq * 400), $"office-{random.Next(20)}", $"operator-{random.Next(200)}", "citizen-enquiry",
                "GetUtilityAccountBalance", "iin", subjects.Hash(random.Next(20_000).ToString("D12", CultureInfo.InvariantCulture)),
                [new ProviderTouch("alatau-power", "OK", "CACHED")], "OK");
            prev = writer.Write(output, record, seq, prev);
            lines.Add(new JournaledLine(seq, prev, record));
            if (output.WrittenCount > (1 << 19))
            {
                file.Write(output.WrittenSpan);
                output.ResetWrittenCount();
            }
        }

        file.Write(output.WrittenSpan);
        return lines;
    }
}
