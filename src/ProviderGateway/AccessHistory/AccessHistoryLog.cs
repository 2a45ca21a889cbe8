namespace ProviderGateway.AccessHistory;

internal static partial class AccessHistoryLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Access history index caught up with the journal to seq {Seq} ({Added} accesses added)")]
    public static partial void CaughtUp(ILogger logger, long seq, int added);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "The access history index could not be fed ({ExceptionType}); it catches up from the journal once it can")]
    public static partial void FeedFailed(ILogger logger, string exceptionType, Exception exception);
}
