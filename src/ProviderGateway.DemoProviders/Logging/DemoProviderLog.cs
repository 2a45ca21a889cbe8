using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ProviderGateway.DemoProviders.Logging;

/// <summary>
/// Every log message of the demo providers. They carry provider ids, method names and identifiers the
/// provider issued itself, never a citizen's IIN, name, address, account or cadastral number.
/// </summary>
internal static partial class DemoProviderLog
{
    [LoggerMessage(1, LogLevel.Information, "Demo provider {ProviderId} ({Domain}) listening on {Address}")]
    public static partial void ServerStarted(ILogger logger, string providerId, string domain, string address);

    [LoggerMessage(2, LogLevel.Information, "Demo provider {ProviderId} stopped")]
    public static partial void ServerStopped(ILogger logger, string providerId);

    [LoggerMessage(3, LogLevel.Debug, "Injected fault on {Method}: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string method, string fault);

    [LoggerMessage(4, LogLevel.Information, "Faults of demo provider {ProviderId} changed: latency {LatencyMs} ms, error rate {ErrorRate} ({ErrorCode}), hang {Hang}, down {Down}, lose write answers {LoseWriteAnswers}")]
    public static partial void FaultsChanged(ILogger logger, string providerId, double latencyMs, double errorRate, StatusCode errorCode, bool hang, bool down, bool loseWriteAnswers);

    [LoggerMessage(10, LogLevel.Information, "Meter reading {ReadingId} accepted")]
    public static partial void MeterReadingAccepted(ILogger logger, string readingId);

    [LoggerMessage(11, LogLevel.Information, "Certificate order {OrderId} ({CertificateType}) received")]
    public static partial void CertificateOrderReceived(ILogger logger, string orderId, Contracts.LandRegistry.V1.CertificateType certificateType);

    [LoggerMessage(12, LogLevel.Information, "Application {ApplicationId} ({BenefitType}) submitted")]
    public static partial void ApplicationSubmitted(ILogger logger, string applicationId, Contracts.SocialServices.V1.BenefitType benefitType);

    [LoggerMessage(13, LogLevel.Information, "A retried {Method} was answered with the result of its first request")]
    public static partial void WriteReplayed(ILogger logger, string method);
}
