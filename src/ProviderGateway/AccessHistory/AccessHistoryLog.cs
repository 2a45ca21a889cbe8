namespace ProviderGateway.AccessHistory;

/// <summary>The access history's log lines: instances, seqs, counts and paths, never a subject or any other record content.</summary>
internal static partial class AccessHistoryLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Access history index ({Index}) caught up with the journal files: journal {Instance} up to seq {Seq}; {Added} accesses added in {Milliseconds} ms")]
    public static partial void CaughtUp(ILogger logger, string index, string instance, long seq, int added, long milliseconds);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Access history index ({Index}) cannot be written; desk calls go on and every access stays in the journal, from which the index catches up once it answers")]
    public static partial void IndexFailing(ILogger logger, string index, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Access history index ({Index}) works again; {Added} accesses read back from the journal files")]
    public static partial void IndexBack(ILogger logger, string index, int added);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Access history: lines of journal {Instance} after seq {Seq} were not held in memory; reading them back from the journal files")]
    public static partial void ReadingBack(ILogger logger, string instance, long seq);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Access history: the index's line seq {Seq} of journal {Instance} is not the journal's (a new chain was begun); its accesses are indexed again from the journal files")]
    public static partial void ChainReplaced(ILogger logger, string instance, long seq);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Access history: journal file {Path} (Gateway:AccessHistory:JournalFiles) has no signed checkpoint; not indexed")]
    public static partial void OtherJournalUnsigned(ILogger logger, string path);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Warning, Message = "Access history: journal file {Path} of instance {Instance} does not hold the index's line seq {Seq} of that instance; left as indexed (that instance re-indexes its own journal)")]
    public static partial void OtherChainDiffers(ILogger logger, string path, string instance, long seq);
}
