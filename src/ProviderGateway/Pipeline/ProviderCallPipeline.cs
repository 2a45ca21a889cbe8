using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Caching;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Providers;
using ProviderGateway.Routing;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Pipeline;

/// <summary>
/// One call to one provider, from the desk's context to a <see cref="ProviderOutcome{TResponse}"/>, in steps:
/// the cache for reads (<see cref="ProviderAnswerCache"/>), then on a miss the call itself
/// (<see cref="ProviderInvoker"/>: the deadline, resilience, the provider's channel), read for the desk
/// (<see cref="ProviderOutcomeMapper"/>), then the invalidation of what a write made stale. A provider failure
/// never escapes as an exception: fan-outs report it per source, single calls throw it when they need the data.
/// </summary>
public sealed class ProviderCallPipeline(
    ProviderRouter router,
    CachePolicies cachePolicies,
    ProviderAnswerCache answers,
    ProviderInvoker invoker,
    ProviderOutcomeMapper outcomes,
    GatewayMetrics metrics,
    TimeProvider time)
{

    /// <summary>Calls <paramref name="provider"/> (or answers from the cache) and reports what happened.</summary>
    public Task<ProviderOutcome<TResponse>> CallAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        CallAsync(provider, operation, request, desk, missedKey: null);

    // missedKey: the read's cache key when memory was already looked at (FromMemory) and had nothing to answer with.
    private async Task<ProviderOutcome<TResponse>> CallAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk,
        string? missedKey)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        try
        {
            if (missedKey is null && FromMemory(provider, operation, request, desk, out missedKey) is { } hit)
            {
                return hit;
            }

            // CACHE: reads under a policy; writes never.
            if (operation.Kind == OperationKind.Read && cachePolicies.For(provider.Id, operation.MethodName) is { } policy)
            {
                var answer = await answers.GetAsync(
                    provider,
                    operation,
                    request,
                    policy,
                    desk,
                    cancellation => CallProviderAsync(provider, operation, request, desk with { Cancellation = cancellation }),
                    missedKey).ConfigureAwait(false);
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

        // FROM MEMORY: nothing to wait for, so no deadline to bound it.
        if (FromMemory(provider, operation, request, desk, out var missedKey) is { } hit)
        {
            return (hit.ResponseOrThrow(), hit.ToSourceStatus(desk.Language));
        }

        using var bound = new DeskDeadlineScope(desk, time);
        var outcome = await CallAsync(provider, operation, request, bound.Desk, missedKey).ConfigureAwait(false);
        return (outcome.ResponseOrThrow(), outcome.ToSourceStatus(desk.Language));
    }

    // FROM MEMORY: a current answer in memory is all most reads need (ProviderAnswerCache.TryFromMemory), counted like
    // any cache lookup. When memory has none, missedKey is the read's cache key, made once; null for a write or a read
    // that is not cached.
    private ProviderOutcome<TResponse>? FromMemory<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk,
        out string? missedKey)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        missedKey = null;
        if (operation.Kind != OperationKind.Read || cachePolicies.For(provider.Id, operation.MethodName) is not { } policy)
        {
            return null;
        }

        if (answers.TryFromMemory(provider, operation, request, policy, desk, out var key) is { } hit)
        {
            metrics.CacheLookup(provider.Id, operation.MethodName, hit.Freshness);
            return hit;
        }

        missedKey = key;
        return null;
    }

    // INVOKE, then MAP; METRICS: every provider call (not the answers from the cache), by the outcome's status code.
    private async Task<ProviderOutcome<TResponse>> CallProviderAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        var invocation = await invoker.InvokeAsync(provider, operation, request, desk).ConfigureAwait(false);
        var outcome = outcomes.ToOutcome(provider, operation.Name, invocation, desk);
        metrics.ProviderCall(provider.Id, operation.MethodName, (StatusCode)outcome.Status.Code, time.GetElapsedTime(started));
        return outcome;
    }
}
