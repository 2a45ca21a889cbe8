namespace ProviderGateway.Audit;

/// <summary>The journal's log messages. None carries a record's content.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Access journal {Path} open; the chain continues after line seq {Seq}")]
    public static partial void Opened(ILogger logger, string path, long seq);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "Access journal {Path} ends with a damaged line (an interrupted write?); the chain continues after it and tools/journal/verify-journal.py will report it")]
    public static partial void DamagedTail(ILogger logger, string path);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "Access journal queue full ({Capacity} records): access records are being dropped (metric providergateway.journal.records_dropped)")]
    public static partial void RecordsDropped(ILogger logger, int capacity);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Access journal writer caught up after dropping records")]
    public static partial void Recovered(ILogger logger);
}
