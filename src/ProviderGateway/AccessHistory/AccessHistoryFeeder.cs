using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// Keeps the access history's index up with the journal, never on a call's path:
/// <list type="number">
/// <item><b>At start-up</b> (and after any failure) it catches up from the journal files: its own journal's rotated files
/// in chain order and the current one, from the seq the index holds for this instance (everything, when the index is
/// new, empty or deleted); first checking that the index's last line is the journal's (same seq, same hash), since a
/// journal set aside and begun anew starts again at seq 1, and then this instance's rows are dropped and fed again.
/// Then, once, the other instances' journals of <see cref="AccessHistoryOptions.JournalFiles"/>, up to their last signed
/// checkpoint. <see cref="CaughtUp"/> completes when this first pass is done.</item>
/// <item><b>Live</b>: the journal's writer hands it each line once synced to disk (<see cref="IJournalFollower"/>); they
/// wait in memory (<see cref="AccessHistoryOptions.QueueCapacity"/> lines at most) and are written in batches gathered
/// over a second, one transaction each with the position (a history is at most a couple of seconds behind the journal). A seq missing from what it is handed (lines dropped when the queue was full) is
/// read back from the files.</item>
/// <item><b>A database that is down</b> is retried (1 s doubling to 30 s, logged once); the lines meanwhile are read back
/// from the journal files when it answers. A call is never slowed or refused for it.</item>
/// <item><b>Its share of the CPU</b> is bounded: after each batch (read and written) it pauses nine times as long as the
/// batch took, so that it is busy at most a tenth of the time (the start-up rebuild excepted). Under a load heavier than that lets it
/// follow, the index falls behind (lines beyond the queue are read back from the files later) rather than the calls
/// slowing; at the loads of an office it is idle almost all the time (about 20 µs a line on SQLite).</item>
/// </list>
/// Lines a crash or a stop left unindexed are in the journal, so the next start-up feeds them.
/// </summary>
public sealed class AccessHistoryFeeder : BackgroundService, IJournalFollower
{
    /// <summary>
    /// Rows written in one transaction, at most. Large: the subject index takes rows in random order, so a transaction's cost
    /// grows with the pages it touches rather than with its rows (SQLite: 26 µs a row in transactions of 1,000, 7 µs in
    /// transactions of 50,000).
    /// </summary>
    public const int BatchRows = 50_000;

    // The pause after a batch, as a multiple of the time the batch took: busy at most 1 / (1 + 9) of the time, a tenth of
    // one core (the hop benchmark at saturation, 40,000 lines a second: a fifth cost the calls 15 % of their rate).
    private const int PauseFactor = 9;

    // How long lines are gathered into one batch: a transaction a second rather than one per batch the journal hands over
    // (at 10,000 lines a second on SQLite, 8 µs a line instead of 20).
    private static readonly TimeSpan GatherWindow = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly AccessHistoryIndex _index;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<string> _otherJournals;
    private readonly int _capacity;
    private readonly Channel<IReadOnlyList<JournaledLine>> _lines =
        Channel.CreateUnbounded<IReadOnlyList<JournaledLine>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queued;
    private long _dropped;
    private long _droppedBeforeCatchUp; // _dropped when the last catch-up from the files began
    private long _indexedSeq = -1;
    private string _indexedHash = "";

    /// <summary>The feeder of this instance's journal (<c>Gateway:Security:Journal</c>) and the other journals configured.</summary>
    public AccessHistoryFeeder(AccessHistoryIndex index, IOptions<SecurityOptions> security, IOptions<AccessHistoryOptions> options, TimeProvider time, ILogger<AccessHistoryFeeder> logger)
        : this(index, OwnJournal(security.Value.Journal), [.. options.Value.JournalFiles], options.Value.QueueCapacity, time, logger)
    {
    }

    /// <summary>A feeder of the journal <paramref name="journal"/> (its instance id and the path of its current file).</summary>
    public AccessHistoryFeeder(
        AccessHistoryIndex index, (string Instance, string Path) journal, IReadOnlyList<string> otherJournals, int queueCapacity, TimeProvider time, ILogger logger)
    {
        _index = index;
        (Instance, JournalPath) = journal;
        _otherJournals = otherJournals;
        _capacity = queueCapacity;
        _time = time;
        _logger = logger;
    }

    /// <summary>This instance's id: the journal the index keys its lines by.</summary>
    public string Instance { get; }

    /// <summary>This instance's journal file (the current one; the rotated ones are beside it).</summary>
    public string JournalPath { get; }

    /// <summary>Completes once the first catch-up from the journal files (the start-up rebuild) is done.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>The last seq of this instance's journal in the index (every line up to it that is about a citizen); -1 before the first catch-up.</summary>
    public long IndexedSeq => Interlocked.Read(ref _indexedSeq);

    /// <summary>Completes the next time the index moves on (a batch written, a catch-up done): to wait for it without polling.</summary>
    public Task NextProgress => Volatile.Read(ref _progress).Task;

    /// <summary>Lines handed by the journal but not held, because the queue was full (they were read back from the files).</summary>
    public long LinesNotHeld => Interlocked.Read(ref _dropped);

    /// <summary>The instance id and current file of the journal configured in <paramref name="journal"/>, as the journal resolves them.</summary>
    public static (string Instance, string Path) OwnJournal(JournalOptions journal)
    {
        var instance = JournalFiles.InstanceId(journal.InstanceId, Environment.MachineName);
        return (instance, Path.GetFullPath((journal.Path ?? "access-journal.jsonl").Replace("{instance}", instance, StringComparison.Ordinal)));
    }

    /// <summary>Completes once the index holds this instance's journal up to <paramref name="seq"/>.</summary>
    public async Task WaitUntilIndexedAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var progress = NextProgress;
            if (IndexedSeq >= seq)
            {
                return;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>On the journal's writer: counts and queues, nothing more; over the capacity the lines are not held.</remarks>
    public void Written(string instance, IReadOnlyList<JournaledLine> lines)
    {
        if (instance != Instance || lines.Count == 0)
        {
            return;
        }

        if (Interlocked.Add(ref _queued, lines.Count) > _capacity || !_lines.Writer.TryWrite(lines))
        {
            Interlocked.Add(ref _queued, -lines.Count);
            Interlocked.Add(ref _dropped, lines.Count);
            // Wakes the feeder even if no line follows (a burst that ends here): it reads what it missed from the files.
            _lines.Writer.TryWrite([]);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var failing = false;
        var catchUp = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (catchUp)
                {
                    // CATCH UP FROM THE FILES: the start-up rebuild, or after lines were not held or not written.
                    await _index.MigrateAsync(stoppingToken).ConfigureAwait(false);
                    var began = _time.GetTimestamp();
                    _droppedBeforeCatchUp = Interlocked.Read(ref _dropped);
                    var added = await CatchUpOwnAsync(throttled: _caughtUp.Task.IsCompleted, stoppingToken).ConfigureAwait(false);
                    if (!_caughtUp.Task.IsCompleted)
                    {
                        added += await CatchUpOthersAsync(stoppingToken).ConfigureAwait(false);
                        AccessHistoryLog.CaughtUp(_logger, _index.Description, Instance, IndexedSeq, added, (long)_time.GetElapsedTime(began).TotalMilliseconds);
                        _caughtUp.TrySetResult();
                    }

                    catchUp = false;
                    if (failing)
                    {
                        AccessHistoryLog.IndexBack(_logger, _index.Description, added);
                        failing = false;
                    }

                    retry = FirstRetry;
                    Progressed();
                }

                // THE LIVE FEED: what the journal's writer handed over, in batches.
                if (!await _lines.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                if (Interlocked.Read(ref _queued) < BatchRows)
                {
                    await Task.Delay(GatherWindow, _time, stoppingToken).ConfigureAwait(false);
                }

                var started = _time.GetTimestamp();
                catchUp = await FeedAsync(stoppingToken).ConfigureAwait(false);
                // Lines not held since the last catch-up, and none queued after them to show the gap: read them back now.
                catchUp |= Interlocked.Read(ref _queued) == 0 && Interlocked.Read(ref _dropped) != _droppedBeforeCatchUp;
                await PauseAsync(_time.GetElapsedTime(started), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never in a call's way, and never stopping the host: retried, then caught up from the files.
                if (!failing)
                {
                    AccessHistoryLog.IndexFailing(_logger, _index.Description, e);
                    failing = true;
                }

                catchUp = true;
                DropQueued();
                try
                {
                    await Task.Delay(retry, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = retry * 2 > LastRetry ? LastRetry : retry * 2;
            }
        }
    }

    // One batch of the lines handed over; true when lines are missing from them (read them from the files).
    private async Task<bool> FeedAsync(CancellationToken cancellationToken)
    {
        var rows = new List<IndexedAccess>();
        var (seq, hash) = (IndexedSeq, _indexedHash);
        var gap = false;
        while (!gap && rows.Count < BatchRows && _lines.Reader.TryRead(out var lines))
        {
            Interlocked.Add(ref _queued, -lines.Count);
            foreach (var line in lines)
            {
                if (line.Seq <= seq)
                {
                    continue; // fed already (by a catch-up from the files)
                }

                if (line.Seq != seq + 1)
                {
                    gap = true;
                    break;
                }

                (seq, hash) = (line.Seq, line.Hash);
                if (AccessOf(line) is { } access)
                {
                    rows.Add(access);
                }
            }
        }

        if (seq > IndexedSeq)
        {
            await _index.AddAsync(Instance, rows, seq, hash, cancellationToken).ConfigureAwait(false);
            Indexed(seq, hash);
            Progressed();
        }

        if (gap)
        {
            AccessHistoryLog.ReadingBack(_logger, Instance, seq);
        }

        return gap;
    }

    // This instance's journal from the files, after what the index holds; its rows dropped first when its chain was replaced.
    private async Task<int> CatchUpOwnAsync(bool throttled, CancellationToken cancellationToken)
    {
        while (true)
        {
            var position = await _index.PositionAsync(Instance, cancellationToken).ConfigureAwait(false);
            var replay = await ReplayAsync(Instance, JournalPath, position, long.MaxValue, throttled, cancellationToken).ConfigureAwait(false);
            if (replay is { } done)
            {
                Indexed(done.Seq, done.Hash);
                return done.Added;
            }

            // The index's last line of this instance is not the journal's: the journal was set aside and a new chain began.
            AccessHistoryLog.ChainReplaced(_logger, Instance, position!.Value.Seq);
            await _index.ForgetAsync(Instance, cancellationToken).ConfigureAwait(false);
        }
    }

    // The other instances' journals configured, each up to its last signed checkpoint (lines after it may not be on that
    // instance's disk yet), under the instance its checkpoints name.
    private async Task<int> CatchUpOthersAsync(CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var configured in _otherJournals)
        {
            var path = Path.GetFullPath(configured);
            if (JournalReplay.LastCheckpoint(path) is not { } signed)
            {
                AccessHistoryLog.OtherJournalUnsigned(_logger, path);
                continue;
            }

            if (signed.Instance == Instance)
            {
                continue; // this instance's own, fed above
            }

            var position = await _index.PositionAsync(signed.Instance, cancellationToken).ConfigureAwait(false);
            if (position?.Seq >= signed.Seq)
            {
                continue;
            }

            if (await ReplayAsync(signed.Instance, path, position, signed.Seq, throttled: false, cancellationToken).ConfigureAwait(false) is { } done)
            {
                added += done.Added;
            }
            else
            {
                // Not this gateway's journal to reset: its own instance does that.
                AccessHistoryLog.OtherChainDiffers(_logger, path, signed.Instance, position!.Value.Seq);
            }
        }

        return added;
    }

    /// <summary>
    /// Feeds instance <paramref name="instance"/>'s journal from its files at <paramref name="path"/> after <paramref name="position"/>
    /// up to seq <paramref name="upTo"/>, pausing after each batch when <paramref name="throttled"/>; <c>null</c> when the
    /// journal does not hold the position's line (a new chain).
    /// </summary>
    private async Task<(long Seq, string Hash, int Added)?> ReplayAsync(
        string instance, string path, JournalPosition? position, long upTo, bool throttled, CancellationToken cancellationToken)
    {
        // The rows go into each transaction as they are read, not gathered first: a batch of 50,000 rows held in memory
        // (30 MB) outlived the collections of the calls' short-lived objects, and the runtime, finding so much surviving,
        // let them pile up (the hop benchmark at saturation, the feeder always catching up: 420 MB of peak RSS instead of 245).
        var replay = new Replay(instance, path, position, upTo);
        var busySince = _time.GetTimestamp();
        while (!replay.Ended)
        {
            var before = replay.Seq;
            await _index.AddAsync(instance, replay.Next(BatchRows), () => replay.Mismatch || replay.Seq == before ? null : (replay.Seq, replay.Hash), cancellationToken).ConfigureAwait(false);
            if (replay.Mismatch)
            {
                return null;
            }

            if (throttled && !replay.Ended)
            {
                // The reading counts as much as the writing.
                await PauseAsync(_time.GetElapsedTime(busySince), cancellationToken).ConfigureAwait(false);
                busySince = _time.GetTimestamp();
            }
        }

        // The position's line was not read: a journal that never reached it is a new chain; one that went past it had the
        // file holding it taken away (archived), and goes on from there.
        if (!replay.Found && replay.Highest < replay.After)
        {
            return null;
        }

        if (throttled)
        {
            await PauseAsync(_time.GetElapsedTime(busySince), cancellationToken).ConfigureAwait(false);
        }

        return (replay.Seq, replay.Hash, replay.Added);
    }

    // After a batch that took `busy`, the pause that keeps the feeder's share of the time to 1 / (1 + PauseFactor); none after
    // the small batches of light traffic.
    private Task PauseAsync(TimeSpan busy, CancellationToken cancellationToken) =>
        busy < TimeSpan.FromMilliseconds(2) ? Task.CompletedTask : Task.Delay(busy * PauseFactor, _time, cancellationToken);

    private IndexedAccess? AccessOf(JournaledLine line) =>
        line.Record is { SubjectKind: IndexedAccess.CitizenSubjectKind } record && IndexedAccess.IsSubjectHash(record.Subject)
            ? new IndexedAccess(
                Instance,
                line.Seq,
                DateTimeOffset.FromUnixTimeMilliseconds(record.Time.ToUnixTimeMilliseconds()), // as journaled: milliseconds
                record.Subject,
                record.ClientId,
                IndexedAccess.WithoutIin(record.OperatorId),
                IndexedAccess.WithoutIin(record.Purpose),
                record.Method,
                IndexedAccess.Distinct(record.Providers.Select(p => p.ProviderId)),
                record.Consent,
                record.Result,
                record.Reason)
            : null;

    private void Indexed(long seq, string hash)
    {
        _indexedHash = hash;
        Interlocked.Exchange(ref _indexedSeq, seq);
    }

    private void Progressed() =>
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    // While the index is failing, what waits in memory is let go: the files hold it, and a catch-up reads it back.
    private void DropQueued()
    {
        while (_lines.Reader.TryRead(out var lines))
        {
            Interlocked.Add(ref _queued, -lines.Count);
        }
    }

    // A journal's lines after a position, read from its files as they are asked for: the rows of its accesses, a batch at a
    // time (Next), and how far they went (the last line read, its hash).
    private sealed class Replay(string instance, string path, JournalPosition? position, long upTo)
    {
        private IEnumerator<IndexedAccess>? _rows;

        public long After { get; } = position?.Seq ?? 0;

        public long Seq { get; private set; } = position?.Seq ?? 0;

        public string Hash { get; private set; } = position?.Hash ?? "";

        public bool Found { get; private set; } = position is null;

        public long Highest { get; private set; }

        public int Added { get; private set; }

        // The position's line has another hash in the files: not the index's chain.
        public bool Mismatch { get; private set; }

        public bool Ended { get; private set; }

        // Up to `count` rows more; Seq and Hash are the last line read once they are enumerated.
        public IEnumerable<IndexedAccess> Next(int count)
        {
            _rows ??= Rows().GetEnumerator();
            for (var i = 0; i < count; i++)
            {
                if (!_rows.MoveNext())
                {
                    Ended = true;
                    _rows.Dispose();
                    yield break;
                }

                Added++;
                yield return _rows.Current;
            }
        }

        // The files are listed again before each one is read: the journal may rotate (several times, at saturation) while a
        // throttled catch-up reads, and a file set aside meanwhile must be read before the current one, not skipped (its lines
        // would have looked archived). The current file is the last one read; what it holds after is the next catch-up's.
        private IEnumerable<IndexedAccess> Rows()
        {
            var read = new HashSet<string>(StringComparer.Ordinal);
            while (JournalReplay.FilesFrom(path, Seq).FirstOrDefault(f => !read.Contains(f)) is { } file)
            {
                read.Add(file);
                var setAside = false;
                foreach (var item in JournalReplay.Read(file, instance, After))
                {
                    if (item.Checkpoint is not null)
                    {
                        continue;
                    }

                    if (item.Seq > upTo)
                    {
                        yield break;
                    }

                    if (item.Seq > Seq + 1 && JournalReplay.FilesFrom(path, Seq + 1).Any(f => f != path && !read.Contains(f)))
                    {
                        // A gap, and a file set aside since the listing holds it (the journal rotated between the listing and
                        // this file's opening): that file first, then this one again.
                        read.Remove(file);
                        setAside = true;
                        break;
                    }

                    Highest = Math.Max(Highest, item.Seq);
                    if (item.Seq == After && position is { } held)
                    {
                        if (item.Hash != held.Hash)
                        {
                            Mismatch = true;
                            yield break;
                        }

                        Found = true;
                        continue;
                    }

                    if (item.Seq <= Seq)
                    {
                        continue;
                    }

                    (Seq, Hash) = (item.Seq, item.Hash);
                    if (item.Access is { } access)
                    {
                        yield return access;
                    }
                }

                if (file == path && !setAside)
                {
                    yield break;
                }
            }
        }
    }
}
