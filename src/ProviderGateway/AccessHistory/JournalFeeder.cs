using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// Feeds this instance's journal into the access history's index: it reads the journal files (the rotated ones in chain
/// order, then the current one) from the last seq the index holds for this instance, and adds each line about a citizen
/// (<c>subject_kind</c> <c>iin</c>: the HMAC only). At start-up this rebuilds whatever the index lacks (all of it, when
/// the index was deleted); afterwards it follows the file as the journal appends to it, every <see cref="FollowInterval"/>
/// and before every history is listed (<see cref="CatchUpAsync"/>). It runs beside the desks' calls, never in them:
/// a call's cost is the journal's alone, and a database that is down delays the history, never a call.
/// The journal stays the source of truth: a line that does not parse is skipped (the journal's verifier reports it).
/// </summary>
public sealed class JournalFeeder(AccessHistoryIndex index, IOptions<SecurityOptions> security, TimeProvider time, ILogger<JournalFeeder> logger) : BackgroundService
{
    /// <summary>How often the journal is looked at for new lines.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    private const int Batch = 10_000;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _instance = JournalFiles.InstanceId(security.Value.Journal.InstanceId, Environment.MachineName);
    private long _fedUpTo = -1; // unknown until read from the index
    private string? _currentFile;
    private long _currentOffset;
    private int _rotatedSeen = -1;

    /// <summary>This instance's id, as the index keys its lines.</summary>
    public string Instance => _instance;

    private string JournalPath => Path.GetFullPath(security.Value.Journal.Path!.Replace("{instance}", _instance, StringComparison.Ordinal));

    /// <summary>Adds every journal line not yet in the index; returns how many lines about citizens were added.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_fedUpTo < 0)
            {
                _fedUpTo = await index.FedUpToAsync(_instance, cancellationToken).ConfigureAwait(false);
                _currentFile = null;
            }

            // A rotation since the last pass: the current file is a new one, read from its beginning.
            var rotated = Rotated().Count();
            if (rotated != _rotatedSeen)
            {
                (_rotatedSeen, _currentFile) = (rotated, null);
            }

            var added = 0;
            var pending = new List<IndexedAccess>();
            var lastSeq = _fedUpTo;
            foreach (var file in FilesInOrder())
            {
                var start = file == _currentFile ? _currentOffset : 0;
                long end;
                (end, lastSeq) = Read(file, start, lastSeq, pending);
                if (file == JournalPath)
                {
                    (_currentFile, _currentOffset) = (file, end);
                }

                if (pending.Count >= Batch)
                {
                    added += await FlushAsync(pending, lastSeq, cancellationToken).ConfigureAwait(false);
                }
            }

            if (pending.Count > 0 || lastSeq > _fedUpTo)
            {
                added += await FlushAsync(pending, lastSeq, cancellationToken).ConfigureAwait(false);
            }

            return added;
        }
        catch
        {
            // Read again from what the index holds next time.
            _fedUpTo = -1;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var added = await CatchUpAsync(stoppingToken).ConfigureAwait(false);
                if (failing || added > Batch)
                {
                    AccessHistoryLog.CaughtUp(logger, _fedUpTo, added);
                }

                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException or InvalidOperationException)
            {
                if (!failing)
                {
                    AccessHistoryLog.FeedFailed(logger, ex.GetType().Name, ex);
                }

                failing = true;
            }

            try
            {
                await Task.Delay(FollowInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<int> FlushAsync(List<IndexedAccess> pending, long lastSeq, CancellationToken cancellationToken)
    {
        await index.AddAsync(_instance, pending, lastSeq, cancellationToken).ConfigureAwait(false);
        var count = pending.Count;
        pending.Clear();
        _fedUpTo = lastSeq;
        return count;
    }

    // The rotated files (JournalFiles.RotatedName) in chain order: their names sort so by the last seq they carry.
    private IEnumerable<string> Rotated()
    {
        var path = JournalPath;
        var folder = Path.GetDirectoryName(path)!;
        var stem = Path.GetFileNameWithoutExtension(path);
        var extension = Path.GetExtension(path);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, $"{stem}.*{extension}")
                .Select(f => (File: f, Name: Path.GetFileName(f)))
                .Where(f => f.Name.Length == stem.Length + 1 + 16 + 1 + 13 + extension.Length && f.Name[stem.Length + 17] == '-')
                .OrderBy(f => f.Name[(stem.Length + 19)..], StringComparer.Ordinal)
                .Select(f => f.File)
            : [];
    }

    // The rotated files not wholly fed yet, then the current one.
    private IEnumerable<string> FilesInOrder()
    {
        var path = JournalPath;
        {
            foreach (var file in Rotated())
            {
                // A rotated file wholly before what the index holds need not be read: its name carries its last seq.
                var name = Path.GetFileNameWithoutExtension(file);
                if (long.TryParse(name.AsSpan(name.Length - 12), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last) && last <= _fedUpTo)
                {
                    continue;
                }

                yield return file;
            }
        }

        if (File.Exists(path))
        {
            yield return path;
        }
    }

    // Reads whole lines from offset start; returns where the last whole line ended and the last seq seen.
    private static (long End, long LastSeq) Read(string file, long start, long lastSeq, List<IndexedAccess> pending, string instance)
    {
        using var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 1 << 16 });
        if (stream.Length < start)
        {
            start = 0; // a new file under the same name (rotated meanwhile): from its beginning
        }

        stream.Seek(start, SeekOrigin.Begin);
        var position = start;
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var from = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                line.Write(buffer, from, i - from);
                position += line.Length + 1;
                lastSeq = Index(line.GetBuffer().AsSpan(0, (int)line.Length), lastSeq, pending, instance);
                line.SetLength(0);
                from = i + 1;
            }

            line.Write(buffer, from, read - from);
        }

        // What is left without its newline is a line being written (or torn): read again next time.
        return (position, lastSeq);
    }

    private (long End, long LastSeq) Read(string file, long start, long lastSeq, List<IndexedAccess> pending) =>
        Read(file, start, lastSeq, pending, _instance);

    // One line: an access about a citizen after lastSeq is indexed; any entry after it moves lastSeq on.
    private static long Index(ReadOnlySpan<byte> line, long lastSeq, List<IndexedAccess> pending, string instance)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            if (!document.RootElement.TryGetProperty("entry", out var entry) || !entry.TryGetProperty("seq", out var seqElement) || !seqElement.TryGetInt64(out var seq) || seq <= lastSeq)
            {
                return lastSeq;
            }

            if (Text(entry, "subject_kind") == "iin" && Text(entry, "subject") is { Length: 64 } subject
                && entry.TryGetProperty("time", out var timeElement) && timeElement.TryGetDateTimeOffset(out var at))
            {
                var providers = entry.TryGetProperty("providers", out var list) && list.ValueKind == JsonValueKind.Array
                    ? string.Join(',', list.EnumerateArray().Select(p => Text(p, "id")).Where(id => id.Length > 0))
                    : "";
                pending.Add(new IndexedAccess(
                    instance, seq, at, subject, Text(entry, "client"), Text(entry, "operator"), Text(entry, "purpose"), Text(entry, "method"),
                    providers, Text(entry, "consent"), Text(entry, "result"), Text(entry, "reason")));
            }

            return seq;
        }
        catch (JsonException)
        {
            return lastSeq;
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <inheritdoc />
    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }
}
