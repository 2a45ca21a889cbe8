using Grpc.Core;

namespace ProviderGateway.Pipeline;

/// <summary>
/// Log messages of provider calls. They name providers, methods and codes only: never a request
/// field, since requests carry personal identifiers.
/// </summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Provider {ProviderId} answered {Method} in {LatencyMs:F1} ms")]
    public static partial void ProviderAnswered(ILogger logger, string providerId, string method, double latencyMs);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Provider {ProviderId} failed {Method} with {ProviderCode} after {LatencyMs:F1} ms")]
    public static partial void ProviderFailed(ILogger logger, string providerId, string method, StatusCode providerCode, double latencyMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Calling provider {ProviderId} {Method} threw {ExceptionType}")]
    public static partial void ProviderCallBroken(ILogger logger, string providerId, string method, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Desk cancelled {Method} while waiting for provider {ProviderId}")]
    public static partial void DeskCancelled(ILogger logger, string providerId, string method);
}
