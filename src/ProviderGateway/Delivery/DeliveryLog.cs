namespace ProviderGateway.Delivery;

/// <summary>Log messages of durable submissions: they name submissions, providers, methods and codes, never a request field.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Submission {SubmissionId} ({Method}) delivered to provider {ProviderId} at attempt {Attempt}")]
    public static partial void Delivered(ILogger logger, Guid submissionId, string method, string providerId, int attempt);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Submission {SubmissionId} ({Method}) NOT_DELIVERED: provider {ProviderId} refused it with {Code}")]
    public static partial void Refused(ILogger logger, Guid submissionId, string method, string providerId, string code);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Submission {SubmissionId} ({Method}) to provider {ProviderId}: attempt {Attempt} ended {Code}; next in {DelayMs:F0} ms")]
    public static partial void WillRetry(ILogger logger, Guid submissionId, string method, string providerId, int attempt, string code, double delayMs);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "The submission store is unreachable ({ExceptionType}): deliveries wait until it is back")]
    public static partial void StoreUnreachable(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "The submission store is reachable again: deliveries resume")]
    public static partial void StoreBack(ILogger logger);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Submission {SubmissionId}: its outcome could not be recorded ({ExceptionType}); it will be attempted again once its lease ends (the provider replays it by request_id)")]
    public static partial void OutcomeNotRecorded(ILogger logger, Guid submissionId, string exceptionType);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Submission {SubmissionId}: another relay took it over (lease lost); its outcome was not recorded here")]
    public static partial void LeaseLost(ILogger logger, Guid submissionId);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "{Count} submissions passed their maximum age undelivered: NOT_DELIVERED")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Submissions wait for provider {ProviderId}, which is no longer configured: they stay until it is, or their maximum age")]
    public static partial void UnknownProvider(ILogger logger, string providerId);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Information, Message = "Submission relay {Owner} started: store {Store}")]
    public static partial void Started(ILogger logger, string owner, string store);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Error, Message = "The stored answer of submission {SubmissionId} cannot be opened (sealed under key {KeyId}: {Problem}); GetSubmission answers DATA_LOSS. Configure the key under Gateway:Submissions:PreviousSealKeys if it was rotated away")]
    public static partial void AnswerUnreadable(ILogger logger, Guid submissionId, short keyId, string problem);
}
