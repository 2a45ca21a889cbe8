using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Polly;
using Polly.CircuitBreaker;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.HealthChecks;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using ProviderGateway.Routing;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Pipeline;

/// <summary>
/// One call to one provider, from the desk's context to a <see cref="ProviderOutcome{TResponse}"/>, in steps:
/// the cache for reads (<see cref="ProviderAnswerCache"/>), then resilience (retries within budget, circuit
/// breaker, concurrency limit), then the call on the provider's shared channel under the deadline (the
/// provider's, or the desk's when shorter), then the invalidation of what a write made stale. Every attempt
/// feeds passive health. A provider failure never escapes as an exception: fan-outs report it per source,
/// single calls throw it when they need the data.
/// </summary>
public sealed class ProviderCallPipeline(
    ProviderChannels channels,
    ProviderRouter router,
    CachePolicies cachePolicies,
    ProviderAnswerCache answers,
    ProviderResilience resilience,
    PassiveHealthTracker passiveHealth,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<ProviderCallPipeline> logger)
{
    // Timers fire a little early or late; a call ending this close to its deadline ran out of time.
    private static readonly TimeSpan DeadlineTolerance = TimeSpan.FromMilliseconds(2);

    // A provider rejecting the gateway's credentials rejects every call: the operator hears of it once a minute.
    private static readonly TimeSpan CredentialWarningInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, long> _credentialWarnings = new(StringComparer.Ordinal);

    /// <summary>Calls <paramref name="provider"/> (or answers from the cache) and reports what happened.</summary>
    public async Task<ProviderOutcome<TResponse>> CallAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        try
        {
            // CACHE: reads under a policy; writes never.
            if (operation.Kind == OperationKind.Read && cachePolicies.For(provider.Id, operation.MethodName) is { } policy)
            {
                var answer = await answers.GetAsync(
                    provider,
                    operation,
                    request,
                    policy,
                    desk,
                    cancellation => CallProviderAsync(provider, operation, request, desk with { Cancellation = cancellation })).ConfigureAwait(false);
                metrics.CacheLookup(provider.Id, operation.MethodName, answer.Freshness);
                return answer;
            }

            var outcome = await CallProviderAsync(provider, operation, request, desk).ConfigureAwait(false);

            // INVALIDATE: whatever the write's outcome (a timed-out write may still have been applied), the
            // citizen's cached answers from this provider are gone, everywhere, before the desk hears back.
            if (operation.Kind == OperationKind.Write && operation.CitizenOf(request) is { } iin)
            {
                await answers.InvalidateCitizenAsync(provider, iin).ConfigureAwait(false);
            }

            return outcome;
        }
        catch (OperationCanceledException) when (desk.Cancellation.IsCancellationRequested)
        {
            // A wait ended by the call's bound (DeskDeadlineScope): another caller's provider call behind a cache lock, a
            // backoff. One clock decides: the bound fired, so the desk's time is up, unless the desk itself went away.
            var status = desk.Aborted.IsCancellationRequested
                ? ProviderStatusMapping.CancelledByCaller(provider.Id)
                : ProviderStatusMapping.DeadlineExceeded(provider.Id);
            return ProviderOutcome<TResponse>.Failed(provider, status, time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Routes a call about one provider's resource (<see cref="ProviderRouter.Single"/>) and returns the
    /// outcome, throwing the desk's error when the provider failed.
    /// </summary>
    /// <exception cref="RpcException">A routing error, or the provider's failure mapped for the desk.</exception>
    public async Task<(TResponse Response, SourceStatus Source)> CallOneAsync<TRequest, TResponse>(
        string? providerId,
        string? katoCode,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var provider = router.Single(operation.Domain, providerId, katoCode);
        using var bound = new DeskDeadlineScope(desk, time);
        var outcome = await CallAsync(provider, operation, request, bound.Desk).ConfigureAwait(false);
        return (outcome.ResponseOrThrow(), outcome.ToSourceStatus());
    }

    // METRICS: every provider call (not the answers from the cache), by the outcome's status code.
    private async Task<ProviderOutcome<TResponse>> CallProviderAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        var outcome = await CallProviderOnceAsync(provider, operation, request, desk).ConfigureAwait(false);
        metrics.ProviderCall(provider.Id, operation.MethodName, (StatusCode)outcome.Status.Code, time.GetElapsedTime(started));
        return outcome;
    }

    private async Task<ProviderOutcome<TResponse>> CallProviderOnceAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();

        // DEADLINE: the provider's own, cut short by the desk's when that comes first; for all attempts together.
        var providerDeadline = time.GetUtcNow().UtcDateTime + provider.Deadline;
        var deadline = desk.Deadline < providerDeadline ? desk.Deadline : providerDeadline;
        RpcException? lastFailure = null;
        try
        {
            // RESILIENCE, then the CALL on the provider's channel, once per attempt.
            var outcome = await resilience.ExecuteAsync(
                provider,
                operation.IsRetryable(request),
                deadline,
                async attemptCancellation =>
                {
                    try
                    {
                        var answer = await operation.Invoke(channels.InvokerFor(provider), request, new CallOptions(headers: desk.Caller?.ToProviderMetadata(), deadline: deadline, cancellationToken: attemptCancellation)).ResponseAsync.ConfigureAwait(false);
                        passiveHealth.Record(provider.Id, null);
                        return Outcome.FromResult(answer);
                    }
                    catch (RpcException ex)
                    {
                        passiveHealth.Record(provider.Id, ex.StatusCode);
                        lastFailure = ex;
                        return Outcome.FromException<TResponse>(ex);
                    }
                },
                desk.Cancellation).ConfigureAwait(false);
            var latency = time.GetElapsedTime(started);
            switch (outcome.Exception)
            {
                case null:
                    PipelineLog.ProviderAnswered(logger, provider.Id, operation.Name, latency.TotalMilliseconds);
                    return ProviderOutcome<TResponse>.Live(provider, outcome.Result!, FetchTimeNow(), latency);
                case RpcException failure:
                    return Failed(failure);
                case BrokenCircuitException when lastFailure is not null:
                    // The circuit opened during this call's retries: the desk hears how the provider itself failed.
                    return Failed(lastFailure);
                case CircuitOpenRefusal open:
                    // FAIL FAST: the provider's circuit is open; nothing was sent.
                    PipelineLog.CircuitOpen(logger, provider.Id, operation.Name);
                    return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.CircuitOpen(provider.Id, open.RetryAfter), latency);
                case BrokenCircuitException open:
                    // The same, when the circuit opened just as this call started.
                    PipelineLog.CircuitOpen(logger, provider.Id, operation.Name);
                    return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.CircuitOpen(provider.Id, open.RetryAfter), latency);
                case ConcurrencyLimitRefusal:
                    // FAIL FAST: the provider already has its maximum of calls in flight.
                    PipelineLog.ProviderBusy(logger, provider.Id, operation.Name, provider.MaxConcurrentCalls);
                    return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.Busy(provider.Id), latency);
                default:
                    outcome.ThrowIfException();
                    throw new InvalidOperationException("Unreachable: the outcome had an exception.");
            }

            ProviderOutcome<TResponse> Failed(RpcException failure)
            {
                // Cancelled by the desk only when the desk itself went away; otherwise a call cut short by the call's bound
                // (which fires at the desk's deadline, perhaps a timer's tick early) or by its gRPC deadline ran out of time.
                var cancelledByDesk = failure.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded && desk.Aborted.IsCancellationRequested;
                var timedOut = !cancelledByDesk && (failure.StatusCode == StatusCode.DeadlineExceeded
                    || (failure.StatusCode == StatusCode.Cancelled
                        && (desk.Cancellation.IsCancellationRequested || time.GetUtcNow().UtcDateTime >= deadline - DeadlineTolerance)));
                if (cancelledByDesk)
                {
                    PipelineLog.DeskCancelled(logger, provider.Id, operation.Name);
                }
                else
                {
                    PipelineLog.ProviderFailed(logger, provider.Id, operation.Name, failure.StatusCode, latency.TotalMilliseconds);
                    if (failure.StatusCode == StatusCode.Unauthenticated)
                    {
                        WarnOfRejectedCredentials(provider.Id, operation.Name);
                    }
                }

                var status = timedOut
                    ? ProviderStatusMapping.DeadlineExceeded(provider.Id)
                    : ProviderStatusMapping.ToDeskStatus(provider.Id, failure, cancelledByDesk);
                return ProviderOutcome<TResponse>.Failed(provider, status, latency);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or InvalidProtocolBufferException)
        {
            // Not a gRPC status: a broken channel or an answer that is not protobuf. The desk sees the provider unavailable.
            var latency = time.GetElapsedTime(started);
            PipelineLog.ProviderCallBroken(logger, provider.Id, operation.Name, ex.GetType().Name, ex);
            return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.ToDeskStatus(provider.Id, ex), latency);
        }
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
