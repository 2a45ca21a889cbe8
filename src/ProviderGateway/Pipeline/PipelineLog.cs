using Grpc.Core;

namespace ProviderGateway.Pipeline;

/// <summary>
/// Log messages of provider calls. They name providers, methods and codes only: never a request
/// field, since requests carry personal identifiers. Per-call messages are Debug: a failing provider
/// fails thousands of calls, and its state changes (health, circuit) are logged where they happen.
/// </summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Provider {ProviderId} answered {Method} in {LatencyMs:F1} ms")]
    public static partial void ProviderAnswered(ILogger logger, string providerId, string method, double latencyMs);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Provider {ProviderId} failed {Method} with {ProviderCode} after {LatencyMs:F1} ms")]
    public static partial void ProviderFailed(ILogger logger, string providerId, string method, StatusCode providerCode, double latencyMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Calling provider {ProviderId} {Method} threw {ExceptionType}")]
    public static partial void ProviderCallBroken(ILogger logger, string providerId, string method, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Desk cancelled {Method} while waiting for provider {ProviderId}")]
    public static partial void DeskCancelled(ILogger logger, string providerId, string method);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Circuit of provider {ProviderId} is open: {Method} failed fast")]
    public static partial void CircuitOpen(ILogger logger, string providerId, string method);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Provider {ProviderId} rejected the gateway's credentials (UNAUTHENTICATED) on {Method}: check its client certificate or credentials in the configuration (logged at most once a minute per provider)")]
    public static partial void ProviderRejectedCredentials(ILogger logger, string providerId, string method);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Provider {ProviderId} has {Limit} calls in flight: {Method} failed fast")]
    public static partial void ProviderBusy(ILogger logger, string providerId, string method, int limit);
}
