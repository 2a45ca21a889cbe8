using System.Buffers;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Audit;

/// <summary>
/// The personal-data access journal: calls hand their <see cref="AccessRecord"/> to a bounded queue and never
/// wait; one background writer appends them to the journal file as hash-chained JSON lines
/// (<see cref="JournalChain"/>), written in batches gathered over 10 ms and synced to disk at least once a second. A restart continues the chain from the file's
/// last line. When the queue is full, <see cref="JournalOptions.WhenFull"/> decides: refuse new personal-data
/// calls (default) or drop records; either way a metric counts it and the log says so.
/// </summary>
public sealed class AccessJournal : BackgroundService
{
    /// <summary>The meter of the journal's instruments.</summary>
    public const string MeterName = "ProviderGateway.Audit";

    private const int BatchSize = 512;
    private const long SyncIntervalMs = 1000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(10);

    private readonly JournalOptions _options;
    private readonly ILogger<AccessJournal> _logger;
    private readonly Channel<AccessRecord> _queue;
    private readonly int _refuseAt;
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _refused;
    private long _droppedSinceLog;

    /// <summary>Creates the journal; the file is opened when the host starts.</summary>
    public AccessJournal(IOptions<SecurityOptions> options, ILogger<AccessJournal> logger, IMeterFactory meters)
    {
        _options = options.Value.Journal;
        _logger = logger;
        _queue = Channel.CreateBounded<AccessRecord>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of waiting: calls never wait
        });
        // Room is kept above the refusal mark for the records of calls already admitted.
        _refuseAt = Math.Max(1, _options.QueueCapacity * 9 / 10);
        var meter = meters.Create(MeterName);
        _written = meter.CreateCounter<long>("providergateway.journal.records_written", "{record}", "Access records appended to the journal.");
        _dropped = meter.CreateCounter<long>("providergateway.journal.records_dropped", "{record}", "Access records lost because the journal's queue was full.");
        _refused = meter.CreateCounter<long>("providergateway.journal.calls_refused", "{call}", "Personal-data calls refused because the journal's queue was full.");
        meter.CreateObservableGauge("providergateway.journal.queue_length", () => _queue.Reader.Count, "{record}", "Access records waiting to be written.");
    }

    /// <summary>
    /// Whether a personal-data call may start: false only when the queue is nearly full and the policy is to
    /// refuse (the refusal is counted).
    /// </summary>
    public bool Admit()
    {
        if (_options.WhenFull == JournalFullPolicy.Refuse && _queue.Reader.Count >= _refuseAt)
        {
            _refused.Add(1);
            return false;
        }

        return true;
    }

    /// <summary>Queues a record without waiting; a full queue drops it (counted, and logged at most once a batch).</summary>
    public void Append(AccessRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            _dropped.Add(1);
            if (Interlocked.Increment(ref _droppedSinceLog) == 1)
            {
                AuditLog.RecordsDropped(_logger, _options.QueueCapacity);
            }
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Everything queued is written before the host stops; the writer ends when the queue is drained.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        FileStream file;
        JournalTail tail;
        try
        {
            var path = Path.GetFullPath(_options.Path!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
            tail = JournalChain.Resume(file);
            file.Seek(0, SeekOrigin.End);
            if (tail.NeedsNewline)
            {
                file.Write("\n"u8);
            }

            if (tail.Damaged)
            {
                AuditLog.DamagedTail(_logger, path);
            }

            AuditLog.Opened(_logger, path, tail.Seq);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still inside StartAsync (nothing above awaits): the host does not start, with this message.
            throw new InvalidOperationException($"The access journal '{_options.Path}' cannot be opened for appending: {e.Message}", e);
        }

        using var lines = new JournalLineWriter();
        await using (file.ConfigureAwait(false))
        {
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            var (prev, seq) = (tail.Prev, tail.Seq);
            var reader = _queue.Reader;
            var lastSync = Environment.TickCount64;
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                // Let a batch gather: one wake-up and one write per window rather than per record (at 20,000 calls
                // a second, waking per record cost more CPU than the calls themselves).
                await Task.Delay(BatchWindow, CancellationToken.None).ConfigureAwait(false);
                var count = 0;
                while (reader.TryRead(out var record))
                {
                    prev = lines.Write(buffer, record, ++seq, prev);
                    if (++count % BatchSize == 0)
                    {
                        file.Write(buffer.WrittenSpan);
                        buffer.ResetWrittenCount();
                    }
                }

                // Each batch reaches the operating system at once (a crash of the gateway loses nothing written);
                // the disk is synced at most once a second (group commit). A power cut can lose the last second.
                file.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
                if (Environment.TickCount64 - lastSync >= SyncIntervalMs)
                {
                    file.Flush(flushToDisk: true);
                    lastSync = Environment.TickCount64;
                }

                _written.Add(count);
                if (Interlocked.Exchange(ref _droppedSinceLog, 0) > 0)
                {
                    AuditLog.Recovered(_logger);
                }
            }

            file.Flush(flushToDisk: true);
        }
    }
}
