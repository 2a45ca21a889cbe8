using System.Buffers;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Audit;

/// <summary>
/// The personal-data access journal: calls hand their <see cref="AccessRecord"/> to a queue and never wait; one
/// background writer appends them to the journal file as HMAC-chained JSON lines (<see cref="JournalChain"/>),
/// written in batches gathered over 10 ms and synced to disk at least once a second. Every
/// <see cref="JournalOptions.CheckpointEveryLines"/> lines or <see cref="JournalOptions.CheckpointInterval"/>, at
/// rotation and at shutdown, the writer signs a checkpoint (<see cref="JournalCheckpoint"/>) and hands it to the
/// anchors (<see cref="IJournalAnchor"/>); lines synced to disk go to the followers (<see cref="IJournalFollower"/>). A restart verifies the lines after the last checkpoint, records a line
/// torn by a crash, signs what the crash left unsigned and continues the chain.
/// </summary>
/// <remarks>
/// Under <see cref="JournalFullPolicy.Refuse"/>, <see cref="Admit"/> reserves the room of the call's record, so a
/// record of an admitted call is never dropped; refusals use the room kept above the refusal mark
/// (<see cref="AppendRefusal"/>). Under <see cref="JournalFullPolicy.Drop"/>, a full queue drops records.
/// </remarks>
public sealed class AccessJournal : BackgroundService
{
    /// <summary>The meter of the journal's instruments.</summary>
    public const string MeterName = "ProviderGateway.Audit";

    private const int BatchSize = 512;
    private const long SyncIntervalMs = 1000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan AnchorDrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WriterStopTimeout = TimeSpan.FromSeconds(30);

    private readonly JournalOptions _options;
    private readonly ILogger<AccessJournal> _logger;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IJournalAnchor> _extraAnchors;
    private readonly IJournalFollower[] _followers;
    private readonly Channel<AccessRecord> _queue;
    private readonly long _refuseAt;
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _checkpoints;
    private readonly Counter<long> _anchorFailures;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private long _pending; // records queued plus room reserved by admitted calls
    private long _queued; // records queued, not yet taken by the writer (the single-reader channel cannot count)
    private long _droppedSinceLog;

    // The writer's state: touched by start-up, then by the writer alone.
    private IJournalAnchor[] _anchors = [];
    private int[] _anchorFailing = [];
    private Task[] _anchorInFlight = [];
    private JournalSigner? _signer;
    private JournalLineWriter? _lines;
    private FileStream? _file;
    private string _path = "";
    private string _instance = "";
    private string _prev = JournalChain.Genesis;
    private long _seq;
    private long _linesSinceCheckpoint;
    private long _lastCheckpointAt;
    private bool _fileHasLines;
    private long _fileBytes;
    private DateTime _fileDay;
    private List<JournaledLine>? _unsynced; // lines written since the last sync to disk, for the followers (null without any)
    private bool _unsyncedBytes; // written to the file since its last sync to disk
    private long _lastSync; // Environment.TickCount64 of the last sync to disk

    /// <summary>Creates the journal; the file is opened when the host starts.</summary>
    public AccessJournal(
        IOptions<SecurityOptions> options, ILogger<AccessJournal> logger, IMeterFactory meters, TimeProvider time, IEnumerable<IJournalAnchor> anchors,
        IEnumerable<IJournalFollower>? followers = null)
    {
        _options = options.Value.Journal;
        _logger = logger;
        _time = time;
        _extraAnchors = [.. anchors];
        _followers = [.. followers ?? []];
        _unsynced = _followers.Length > 0 ? [] : null;
        // Unbounded: the bound is kept by _pending, so that an admitted call's reserved room can never be taken.
        _queue = Channel.CreateUnbounded<AccessRecord>(new UnboundedChannelOptions { SingleReader = true });
        _refuseAt = Math.Max(1, _options.QueueCapacity * 9L / 10);
        var meter = meters.Create(MeterName);
        _written = meter.CreateCounter<long>("providergateway.journal.records_written", "{record}", "Access records appended to the journal.");
        _dropped = meter.CreateCounter<long>("providergateway.journal.records_dropped", "{record}", "Access records lost because the journal's queue was full.");
        _refused = meter.CreateCounter<long>("providergateway.journal.calls_refused", "{call}", "Personal-data calls refused because the journal's queue was full.");
        // At zero from the start, so that /metrics shows them (and an alert on their rate sees a series) before the first loss.
        _dropped.Add(0);
        _refused.Add(0);
        _checkpoints = meter.CreateCounter<long>("providergateway.journal.checkpoints_written", "{checkpoint}", "Signed checkpoints written to the journal.");
        _anchorFailures = meter.CreateCounter<long>("providergateway.journal.anchor_failures", "{checkpoint}", "Checkpoints an anchor (file, redis) failed to keep.");
        meter.CreateObservableGauge("providergateway.journal.queue_length", () => Volatile.Read(ref _queued), "{record}", "Access records waiting to be written.");
    }

    /// <summary>
    /// Whether a personal-data call may start. Under <see cref="JournalFullPolicy.Refuse"/>: only below the
    /// refusal mark (90% of the queue's capacity), and then room for the call's record is reserved, to be used by
    /// <see cref="Append"/>; a refusal is counted. Under <see cref="JournalFullPolicy.Drop"/>: always.
    /// </summary>
    public bool Admit()
    {
        if (_options.WhenFull != JournalFullPolicy.Refuse || TryReserve(_refuseAt))
        {
            return true;
        }

        _refused.Add(1);
        return false;
    }

    /// <summary>
    /// Queues the record of a call that <see cref="Admit"/> admitted, without waiting. Under
    /// <see cref="JournalFullPolicy.Refuse"/> it uses the call's reservation and is never dropped; under
    /// <see cref="JournalFullPolicy.Drop"/> a full queue drops it (counted, and logged once per episode).
    /// </summary>
    public void Append(AccessRecord record)
    {
        if (_options.WhenFull == JournalFullPolicy.Refuse || TryReserve(_options.QueueCapacity))
        {
            Enqueue(record);
        }
        else
        {
            Dropped();
        }
    }

    /// <summary>
    /// Queues the record of a call refused before it was admitted (permissions, operator, purpose), in the room
    /// kept above the refusal mark; only when even that is full is it dropped (counted, and logged once per episode).
    /// </summary>
    public void AppendRefusal(AccessRecord record)
    {
        if (TryReserve(_options.QueueCapacity))
        {
            Enqueue(record);
        }
        else
        {
            Dropped();
        }
    }

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the host serves: a journal that cannot be opened or fails verification stops the start.
        Open();
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Everything queued is written and checkpointed before the host stops; the writer ends when the queue is drained.
        _queue.Writer.TryComplete();
        // Not bounded by the host's shutdown timeout: that is the calls' drain (Gateway:Shutdown:DrainTimeout), spent
        // before the journal stops, and the records of the calls it let finish are in this queue. The writer does not
        // observe the token; it ends once the queue is written, within WriterStopTimeout unless the disk hangs.
        using (var writing = new CancellationTokenSource(WriterStopTimeout, _time))
        {
            await base.StopAsync(writing.Token).ConfigureAwait(false);
        }
        if (ExecuteTask is { IsCanceled: true })
        {
            // Stopped before the writer's first turn: BackgroundService starts ExecuteAsync on the thread pool, and a stop
            // that comes first cancels it unrun. The writer never observes the token, so it runs here and drains the queue.
            await ExecuteAsync(CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            // Bounded by its own timeout, not the host's token, which a long drain may have spent already.
            await Task.WhenAll(_anchorInFlight).WaitAsync(AnchorDrainTimeout, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // A slow anchor (Redis) does not hold the shutdown; the anchor file and the journal have the checkpoint.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _file?.Dispose();
        _signer?.Dispose();
        _lines?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        _lastSync = Environment.TickCount64;
        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= reader.WaitToReadAsync(CancellationToken.None).AsTask();
            if (!waiting.IsCompleted && NextDue() is { } due)
            {
                // Idle: wake up for a checkpoint or midnight's rotation, whichever is due first.
                using var timer = new CancellationTokenSource();
                var delay = Task.Delay(due, _time, timer.Token);
                await Task.WhenAny(waiting, delay).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
            }
            else if (!waiting.IsCompleted)
            {
                await waiting.ConfigureAwait(false);
            }

            if (waiting.IsCompleted)
            {
                if (!await waiting.ConfigureAwait(false))
                {
                    break; // completed and drained
                }

                waiting = null;

                // Let a batch gather: one wake-up and one write per window rather than per record (at 20,000 calls
                // a second, waking per record cost more CPU than the calls themselves).
                await Task.Delay(BatchWindow, CancellationToken.None).ConfigureAwait(false);
                var count = 0;
                while (reader.TryRead(out var record))
                {
                    Interlocked.Decrement(ref _pending);
                    Interlocked.Decrement(ref _queued);
                    _prev = _lines!.Write(_buffer, record, ++_seq, _prev);
                    _unsynced?.Add(new JournaledLine(_seq, _prev, record));
                    _linesSinceCheckpoint++;
                    _fileHasLines = true;
                    count++;
                    if (_options.RotateBytes > 0 && _fileBytes + _buffer.WrittenCount >= _options.RotateBytes)
                    {
                        RotateIfDue();
                    }
                    else if (_linesSinceCheckpoint >= _options.CheckpointEveryLines)
                    {
                        Checkpoint();
                    }
                    else if (count % BatchSize == 0)
                    {
                        WriteBuffer();
                    }
                }

                // Each batch reaches the operating system at once (a crash of the gateway loses nothing written);
                // the disk is synced at most once a second (group commit). A power cut can lose the last second.
                WriteBuffer();
                if (Environment.TickCount64 - _lastSync >= SyncIntervalMs)
                {
                    SyncToDisk();
                }

                _written.Add(count);
                if (Interlocked.Exchange(ref _droppedSinceLog, 0) > 0)
                {
                    AuditLog.Recovered(_logger);
                }
            }

            if (_linesSinceCheckpoint > 0 && _time.GetElapsedTime(_lastCheckpointAt) >= _options.CheckpointInterval)
            {
                Checkpoint();
            }
            else if (_unsyncedBytes && Environment.TickCount64 - _lastSync >= SyncIntervalMs)
            {
                // Quiet after a burst: its last lines reach the disk within the second too, not only at the next checkpoint.
                SyncToDisk();
            }

            RotateIfDue();
        }

        // Shutdown: the last lines are signed and anchored.
        Checkpoint();
        SyncToDisk();
    }

    private bool TryReserve(long limit)
    {
        var pending = Volatile.Read(ref _pending);
        while (pending < limit)
        {
            var seen = Interlocked.CompareExchange(ref _pending, pending + 1, pending);
            if (seen == pending)
            {
                return true;
            }

            pending = seen;
        }

        return false;
    }

    private void Enqueue(AccessRecord record)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(record))
        {
            // Only after shutdown began.
            Interlocked.Decrement(ref _queued);
            Interlocked.Decrement(ref _pending);
            Dropped();
        }
    }

    private void Dropped()
    {
        _dropped.Add(1);
        if (Interlocked.Increment(ref _droppedSinceLog) == 1)
        {
            AuditLog.RecordsDropped(_logger, _options.QueueCapacity);
        }
    }

    private TimeSpan? NextDue()
    {
        TimeSpan? due = null;
        if (_linesSinceCheckpoint > 0)
        {
            due = _options.CheckpointInterval - _time.GetElapsedTime(_lastCheckpointAt);
        }

        if (_options.RotateDaily && _fileHasLines)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            var midnight = now.Date.AddDays(1) - now;
            due = due is { } d && d < midnight ? d : midnight;
        }

        if (_unsyncedBytes)
        {
            var sync = TimeSpan.FromMilliseconds(SyncIntervalMs - (Environment.TickCount64 - _lastSync));
            due = due is { } d && d < sync ? d : sync;
        }

        return due is { } value ? (value < TimeSpan.Zero ? TimeSpan.Zero : value) : null;
    }

    private void Open()
    {
        var options = _options;
        _instance = JournalFiles.InstanceId(options.InstanceId, Environment.MachineName);
        _path = Path.GetFullPath(options.Path!.Replace("{instance}", _instance, StringComparison.Ordinal));
        var anchorPath = Path.GetFullPath(options.AnchorPath?.Replace("{instance}", _instance, StringComparison.Ordinal) ?? _path + ".anchor");
        var chainKey = Convert.FromBase64String(options.ChainKey!);
        _lines = new JournalLineWriter(chainKey);
        try
        {
            _signer = JournalSigner.FromPemFile(options.SigningKey!);
            _anchors = [new FileJournalAnchor(anchorPath, _logger), .. _extraAnchors];
            _anchorFailing = new int[_anchors.Length];
            _anchorInFlight = [.. _anchors.Select(_ => Task.CompletedTask)];

            _file = JournalFiles.OpenForAppend(_path, _logger);
            var scan = JournalChain.Scan(_file, chainKey);
            if (scan.Legacy)
            {
                _file.Dispose();
                var aside = JournalFiles.LegacyName(_path, _time.GetUtcNow());
                File.Move(_path, aside);
                AuditLog.LegacySetAside(_logger, _path, aside);
                _file = JournalFiles.OpenForAppend(_path, _logger);
                scan = JournalScan.Empty;
            }

            var resumeFrom = scan;
            if (scan.Problem is null && !scan.HasChain && JournalFiles.NewestRotated(_path) is { } rotated)
            {
                // A fresh file after rotation: the chain continues from the last rotated file.
                using var previous = new FileStream(rotated, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                resumeFrom = JournalChain.Scan(previous, chainKey);
            }

            if ((scan.Problem ?? resumeFrom.Problem) is { } problem)
            {
                throw new JournalTamperedException(
                    $"The access journal '{_path}' fails verification after its last signed checkpoint: {problem}. Either the file was " +
                    $"tampered with or Gateway:Security:Journal:ChainKey changed. The gateway never signs such lines. Check the file with " +
                    $"tools/journal/verify-journal.py; to start a new chain, move the file (and its rotated siblings) aside.");
            }

            (_prev, _seq) = (resumeFrom.Prev, resumeFrom.Seq);
            _linesSinceCheckpoint = resumeFrom.UnsignedLines;
            _fileHasLines = scan.HasChain;
            _fileDay = _time.GetUtcNow().UtcDateTime.Date;
            _file.Seek(0, SeekOrigin.End);
            _fileBytes = _file.Length;
            if (scan.NeedsNewline)
            {
                _buffer.Write("\n"u8);
            }

            if (scan.Torn is { } torn)
            {
                // The torn line stays as it is, outside the chain; this entry says what it was.
                _prev = _lines.WriteResumed(_buffer, ++_seq, _prev, _time.GetUtcNow(), _instance, torn);
                _unsynced?.Add(new JournaledLine(_seq, _prev, null));
                _linesSinceCheckpoint++;
                _fileHasLines = true;
                AuditLog.TornLine(_logger, _path, torn.Length);
            }

            // Whatever a crash left unsigned is signed now, after verification.
            Checkpoint();
            SyncToDisk();
            AuditLog.Opened(_logger, _path, _instance, _seq, _signer.KeyId, string.Join(", ", _anchors.Select(a => a is FileJournalAnchor f ? f.Path : a.Name)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still inside StartAsync: the host does not start, with this message.
            throw new InvalidOperationException($"The access journal '{_path}' cannot be opened for appending: {e.Message}", e);
        }
    }

    private void RotateIfDue()
    {
        if (!_fileHasLines)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var full = _options.RotateBytes > 0 && _fileBytes + _buffer.WrittenCount >= _options.RotateBytes;
        if (!full && !(_options.RotateDaily && now.UtcDateTime.Date != _fileDay))
        {
            return;
        }

        // The closed file ends with the checkpoint of its last line; the next file's first line links to that line.
        Checkpoint();
        SyncToDisk();
        _file!.Dispose();
        var rotated = JournalFiles.RotatedName(_path, now, _seq);
        try
        {
            File.Move(_path, rotated);
            AuditLog.Rotated(_logger, rotated, _seq);
            _fileHasLines = false;
        }
        catch (IOException e)
        {
            AuditLog.RotationFailed(_logger, e);
        }

        _file = JournalFiles.OpenForAppend(_path, _logger);
        _fileBytes = _file.Length;
        _fileDay = now.UtcDateTime.Date;
    }

    private void WriteBuffer()
    {
        _unsyncedBytes |= _buffer.WrittenCount > 0;
        _fileBytes += _buffer.WrittenCount;
        _file!.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    private void Checkpoint()
    {
        _lastCheckpointAt = _time.GetTimestamp();
        if (_linesSinceCheckpoint == 0 || _seq == 0)
        {
            WriteBuffer();
            return;
        }

        // The lines and their checkpoint reach the disk before any anchor names the checkpoint: an anchor must never
        // be ahead of the journal.
        var checkpoint = _signer!.Sign(_buffer, _instance, _seq, _prev, _time.GetUtcNow());
        WriteBuffer();
        SyncToDisk();
        _linesSinceCheckpoint = 0;
        _checkpoints.Add(1);
        for (var i = 0; i < _anchors.Length; i++)
        {
            Publish(i, checkpoint);
        }
    }

    // The file to disk; then the lines written since the last sync are durable, and each follower gets them.
    private void SyncToDisk()
    {
        _file!.Flush(flushToDisk: true);
        _unsyncedBytes = false;
        _lastSync = Environment.TickCount64;
        Synced();
    }

    // Each follower gets the lines synced (a list of its own).
    private void Synced()
    {
        if (_unsynced is not { Count: > 0 } lines)
        {
            return;
        }

        _unsynced = [];
        for (var i = 0; i < _followers.Length; i++)
        {
            try
            {
                _followers[i].Written(_instance, i == _followers.Length - 1 ? lines : [.. lines]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A follower is kept from the journal, never in its way: it reads what it missed from the files.
                AuditLog.FollowerFailed(_logger, _followers[i].GetType().Name, e);
            }
        }
    }

    private void Publish(int index, JournalCheckpoint checkpoint)
    {
        if (!_anchorInFlight[index].IsCompleted)
        {
            // The previous publication is still under way (a slow Redis): this one is skipped, not queued.
            AnchorDone(index, new TimeoutException("The previous checkpoint is still being published."));
            return;
        }

        Task task;
        try
        {
            task = _anchors[index].PublishAsync(checkpoint);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            AnchorDone(index, e);
            return;
        }

        if (task.IsCompleted)
        {
            Observe(task, index);
        }
        else
        {
            _anchorInFlight[index] = task.ContinueWith(t => Observe(t, index), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Observe(Task task, int index) =>
        AnchorDone(index, task.Exception?.GetBaseException() ?? (task.IsCanceled ? new TaskCanceledException() : null));

    private void AnchorDone(int index, Exception? failure)
    {
        var anchor = _anchors[index];
        if (failure is null)
        {
            if (Interlocked.Exchange(ref _anchorFailing[index], 0) == 1)
            {
                AuditLog.AnchorRestored(_logger, anchor.Name);
            }

            return;
        }

        _anchorFailures.Add(1, new KeyValuePair<string, object?>("anchor", anchor.Name));
        if (Interlocked.Exchange(ref _anchorFailing[index], 1) == 0)
        {
            AuditLog.AnchorFailed(_logger, anchor.Name, failure);
        }
    }
}

/// <summary>The journal's unsigned tail fails verification at start-up: the gateway does not start on it.</summary>
public sealed class JournalTamperedException(string message) : InvalidOperationException(message);
