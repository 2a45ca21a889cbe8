namespace ProviderGateway.Consent;

internal static partial class ConsentLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Following the consent authority's revocations at {Authority} from sequence {Sequence}")]
    public static partial void Following(ILogger logger, Uri authority, long sequence);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Lost the consent authority's revocations ({Code}); consents older than {BoundSeconds:F0} s are verified again until they are followed again")]
    public static partial void Lost(ILogger logger, string code, double boundSeconds, Exception? exception);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Consent {ConsentId} revoked at the authority (sequence {Sequence}): no longer honoured")]
    public static partial void Revoked(ILogger logger, string consentId, long sequence);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "The consent authority failed a verification ({Code}): the call is refused UNAVAILABLE")]
    public static partial void VerifyFailed(ILogger logger, string code, Exception? exception);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "Consent refused for client {ClientId}: {Refusal}")]
    public static partial void Refused(ILogger logger, string clientId, string refusal);
}
