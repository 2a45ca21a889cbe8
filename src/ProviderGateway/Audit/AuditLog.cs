namespace ProviderGateway.Audit;

/// <summary>The journal's log messages. None carries a record's content.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Access journal {Path} open for instance {Instance}; the chain continues after line seq {Seq}; checkpoints signed by key {KeyId}, anchored in {Anchors}")]
    public static partial void Opened(ILogger logger, string path, string instance, long seq, string keyId, string anchors);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Access journal {Path} ended with a line cut short by a crash ({Bytes} bytes); a resumed entry records it and the chain continues after the last good line")]
    public static partial void TornLine(ILogger logger, string path, int bytes);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "Access journal queue full ({Capacity} records): access records are being dropped (metric providergateway.journal.records_dropped)")]
    public static partial void RecordsDropped(ILogger logger, int capacity);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Access journal writer caught up after dropping records")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "Journal file {Path} was readable by others (mode {Mode}); tightened to 0600")]
    public static partial void ModeTightened(ILogger logger, string path, string mode);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "Access journal {Path} is in the old unkeyed format; set aside as {Aside} and a new keyed chain starts")]
    public static partial void LegacySetAside(ILogger logger, string path, string aside);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "Access journal rotated: {Rotated} closed after line seq {Seq}")]
    public static partial void Rotated(ILogger logger, string rotated, long seq);

    [LoggerMessage(EventId = 607, Level = LogLevel.Error, Message = "Access journal rotation failed; writing on in the same file")]
    public static partial void RotationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 608, Level = LogLevel.Warning, Message = "Journal anchor {Anchor} failed; checkpoints go on in the journal and the other anchors (metric providergateway.journal.anchor_failures)")]
    public static partial void AnchorFailed(ILogger logger, string anchor, Exception exception);

    [LoggerMessage(EventId = 609, Level = LogLevel.Information, Message = "Journal anchor {Anchor} works again")]
    public static partial void AnchorRestored(ILogger logger, string anchor);

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Journal follower {Follower} failed to take lines; it reads what it missed from the journal's files")]
    public static partial void FollowerFailed(ILogger logger, string follower, Exception exception);
}
