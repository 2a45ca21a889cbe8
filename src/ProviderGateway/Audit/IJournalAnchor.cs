namespace ProviderGateway.Audit;

/// <summary>
/// A place outside the journal file where each signed checkpoint is also kept, so that lines cut from the end of
/// the journal (checkpoints included) show: the anchor's latest checkpoint is then missing from the journal. The
/// file anchor (<see cref="FileJournalAnchor"/>) is always written; Redis is one more when the cache has one.
/// </summary>
public interface IJournalAnchor
{
    /// <summary>A short name for logs and metrics (<c>file</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Keeps <paramref name="checkpoint"/>. Called on the journal's writer after the checkpoint is on disk in the
    /// journal; must not block for long (a slow store completes the returned task later). A failure is counted and
    /// logged by the journal, which goes on.
    /// </summary>
    Task PublishAsync(JournalCheckpoint checkpoint);
}

/// <summary>
/// The anchor file: each checkpoint appended as one line and synced to disk. Beside the journal by default, where it
/// only protects against a careless cut; on a mount the gateway's host cannot rewrite (append-only, remote) it
/// protects against the host too.
/// </summary>
public sealed class FileJournalAnchor(string path, ILogger logger) : IJournalAnchor
{
    /// <summary>The anchor file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public string Name => "file";

    /// <inheritdoc />
    public Task PublishAsync(JournalCheckpoint checkpoint)
    {
        using var file = JournalFiles.OpenForAppend(Path, logger);
        file.Write(System.Text.Encoding.UTF8.GetBytes(checkpoint.Line + "\n"));
        file.Flush(flushToDisk: true);
        return Task.CompletedTask;
    }
}
