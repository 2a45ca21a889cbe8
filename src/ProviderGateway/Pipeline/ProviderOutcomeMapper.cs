using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Polly.CircuitBreaker;
using ProviderGateway.Errors;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;

namespace ProviderGateway.Pipeline;

/// <summary>
/// Reads what a provider call came to (<see cref="ProviderInvocation{TResponse}"/>) as the desk's
/// <see cref="ProviderOutcome{TResponse}"/>: a LIVE answer, or the failure mapped by <see cref="ProviderStatusMapping"/>,
/// telling a call that ran out of time (DEADLINE_EXCEEDED) from one the desk abandoned (CANCELLED, only when
/// <see cref="DeskContext.Aborted"/>), and the fast refusals (circuit open, provider busy) from the provider's own
/// failures. Logs each outcome by provider, method and code only.
/// </summary>
/// <remarks>
/// Its log lines keep the category of <see cref="ProviderCallPipeline"/>, the one operators raise to Debug to follow
/// provider calls (README, "Operations").
/// </remarks>
public sealed class ProviderOutcomeMapper(TimeProvider time, ILogger<ProviderCallPipeline> logger)
{
    // Timers fire a little early or late; a call ending this close to its deadline ran out of time.
    private static readonly TimeSpan DeadlineTolerance = TimeSpan.FromMilliseconds(2);

    // A provider rejecting the gateway's credentials rejects every call: the operator hears of it once a minute.
    private static readonly TimeSpan CredentialWarningInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, long> _credentialWarnings = new(StringComparer.Ordinal);

    /// <summary>
    /// True for the failures of a call that are not a gRPC status: a broken channel or an answer that is not protobuf.
    /// The desk sees the provider unavailable.
    /// </summary>
    public static bool IsBrokenCall(Exception failure) =>
        failure is HttpRequestException or IOException or InvalidOperationException or InvalidProtocolBufferException;

    /// <summary>The desk's outcome of <paramref name="invocation"/>.</summary>
    /// <param name="provider">The provider called.</param>
    /// <param name="method">The full method name, for logs.</param>
    /// <param name="invocation">What the call came to.</param>
    /// <param name="desk">The desk's call: whether it went away (<see cref="DeskContext.Aborted"/>) or its time is up.</param>
    /// <exception cref="Exception">
    /// Any other exception of the call (for example <see cref="OperationCanceledException"/> of a cancelled backoff), as raised.
    /// </exception>
    public ProviderOutcome<TResponse> ToOutcome<TResponse>(ProviderDescriptor provider, string method, in ProviderInvocation<TResponse> invocation, DeskContext desk)
        where TResponse : class
    {
        var latency = invocation.Latency;
        switch (invocation.Result.Exception)
        {
            case null:
                PipelineLog.ProviderAnswered(logger, provider.Id, method, latency.TotalMilliseconds);
                return ProviderOutcome<TResponse>.Live(provider, invocation.Result.Result!, FetchTimeNow(), latency);
            case RpcException failure:
                return Failed<TResponse>(provider, method, failure, invocation.Deadline, latency, desk);
            case BrokenCircuitException when invocation.LastProviderFailure is { } last:
                // The circuit opened during this call's retries: the desk hears how the provider itself failed.
                return Failed<TResponse>(provider, method, last, invocation.Deadline, latency, desk);
            case CircuitOpenRefusal open:
                // FAIL FAST: the provider's circuit is open; nothing was sent.
                PipelineLog.CircuitOpen(logger, provider.Id, method);
                return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.CircuitOpen(provider.Id, open.RetryAfter), latency);
            case BrokenCircuitException open:
                // The same, when the circuit opened just as this call started.
                PipelineLog.CircuitOpen(logger, provider.Id, method);
                return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.CircuitOpen(provider.Id, open.RetryAfter), latency);
            case ConcurrencyLimitRefusal when invocation.LastProviderFailure is { } reached:
                // A retry found the provider full after an earlier try of this call reached it (a write it may have applied,
                // its answer lost): the desk hears how the provider itself failed, never "not sent" (PROVIDER_BUSY).
                return Failed<TResponse>(provider, method, reached, invocation.Deadline, latency, desk);
            case ConcurrencyLimitRefusal:
                // FAIL FAST: the provider already has its maximum of calls in flight.
                PipelineLog.ProviderBusy(logger, provider.Id, method, provider.MaxConcurrentCalls);
                return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.Busy(provider.Id), latency);
            case var broken when IsBrokenCall(broken):
                PipelineLog.ProviderCallBroken(logger, provider.Id, method, broken.GetType().Name, broken);
                return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.ToDeskStatus(provider.Id, broken), latency);
            default:
                invocation.Result.ThrowIfException();
                throw new InvalidOperationException("Unreachable: the outcome had an exception.");
        }
    }

    private ProviderOutcome<TResponse> Failed<TResponse>(ProviderDescriptor provider, string method, RpcException failure, DateTime deadline, TimeSpan latency, DeskContext desk)
        where TResponse : class
    {
        // Cancelled by the desk only when the desk itself went away; otherwise a call cut short by the call's bound
        // (which fires at the desk's deadline, perhaps a timer's tick early) or by its gRPC deadline ran out of time.
        var cancelledByDesk = failure.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded && desk.Aborted.IsCancellationRequested;
        var timedOut = !cancelledByDesk && (failure.StatusCode == StatusCode.DeadlineExceeded
            || (failure.StatusCode == StatusCode.Cancelled
                && (desk.Cancellation.IsCancellationRequested || time.GetUtcNow().UtcDateTime >= deadline - DeadlineTolerance)));
        if (cancelledByDesk)
        {
            PipelineLog.DeskCancelled(logger, provider.Id, method);
        }
        else
        {
            PipelineLog.ProviderFailed(logger, provider.Id, method, failure.StatusCode, latency.TotalMilliseconds);
            if (failure.StatusCode == StatusCode.Unauthenticated)
            {
                WarnOfRejectedCredentials(provider.Id, method);
            }
        }

        var status = timedOut
            ? ProviderStatusMapping.DeadlineExceeded(provider.Id)
            : ProviderStatusMapping.ToDeskStatus(provider.Id, failure, cancelledByDesk);
        return ProviderOutcome<TResponse>.Failed(provider, status, latency);
    }

    private void WarnOfRejectedCredentials(string providerId, string method)
    {
        var now = time.GetTimestamp();
        while (true)
        {
            if (!_credentialWarnings.TryGetValue(providerId, out var last))
            {
                if (_credentialWarnings.TryAdd(providerId, now))
                {
                    break;
                }

                continue;
            }

            if (time.GetElapsedTime(last, now) < CredentialWarningInterval)
            {
                return;
            }

            if (_credentialWarnings.TryUpdate(providerId, now, last))
            {
                break;
            }
        }

        PipelineLog.ProviderRejectedCredentials(logger, providerId, method);
    }

    // Redis keeps fetch times to the microsecond: so does every answer, live or cached, so they compare equal.
    private DateTimeOffset FetchTimeNow()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
