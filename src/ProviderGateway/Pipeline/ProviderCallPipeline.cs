using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Providers;
using ProviderGateway.Routing;

namespace ProviderGateway.Pipeline;

/// <summary>
/// One call to one provider, from the desk's context to a <see cref="ProviderOutcome{TResponse}"/>:
/// the cache for reads (<see cref="ProviderAnswerCache"/>), the invalidation of what a write made stale,
/// the deadline (the provider's, or the desk's when shorter), the call on the provider's shared channel,
/// latency, and the mapping of any failure to the desk's status. A provider failure never escapes as an
/// exception: fan-outs report it per source, single calls throw it when they need the data.
/// </summary>
public sealed class ProviderCallPipeline(
    ProviderChannels channels,
    ProviderRouter router,
    CachePolicies cachePolicies,
    ProviderAnswerCache answers,
    TimeProvider time,
    ILogger<ProviderCallPipeline> logger)
{
    /// <summary>Calls <paramref name="provider"/> (or answers from the cache) and reports what happened.</summary>
    public async Task<ProviderOutcome<TResponse>> CallAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        // CACHE: reads under a policy; writes never.
        if (operation.Kind == OperationKind.Read && cachePolicies.For(provider.Id, operation.MethodName) is { } policy)
        {
            return await answers.GetAsync(
                provider,
                operation,
                request,
                policy,
                desk,
                cancellation => CallProviderAsync(provider, operation, request, desk with { Cancellation = cancellation })).ConfigureAwait(false);
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

    private async Task<ProviderOutcome<TResponse>> CallProviderAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();

        // DEADLINE: the provider's own, cut short by the desk's when that comes first.
        var providerDeadline = time.GetUtcNow().UtcDateTime + provider.Deadline;
        var deadline = desk.Deadline < providerDeadline ? desk.Deadline : providerDeadline;
        var options = new CallOptions(deadline: deadline, cancellationToken: desk.Cancellation);

        // CALL
        try
        {
            var response = await operation.Invoke(channels.InvokerFor(provider), request, options).ResponseAsync.ConfigureAwait(false);
            var latency = time.GetElapsedTime(started);
            PipelineLog.ProviderAnswered(logger, provider.Id, operation.Name, latency.TotalMilliseconds);
            return ProviderOutcome<TResponse>.Live(provider, response, FetchTimeNow(), latency);
        }
        catch (RpcException ex)
        {
            var latency = time.GetElapsedTime(started);
            var cancelledByDesk = desk.Cancellation.IsCancellationRequested;
            if (cancelledByDesk)
            {
                PipelineLog.DeskCancelled(logger, provider.Id, operation.Name);
            }
            else
            {
                PipelineLog.ProviderFailed(logger, provider.Id, operation.Name, ex.StatusCode, latency.TotalMilliseconds);
            }

            return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.ToDeskStatus(provider.Id, ex, cancelledByDesk), latency);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or InvalidProtocolBufferException)
        {
            // Not a gRPC status: a broken channel or an answer that is not protobuf. The desk sees the provider unavailable.
            var latency = time.GetElapsedTime(started);
            PipelineLog.ProviderCallBroken(logger, provider.Id, operation.Name, ex.GetType().Name, ex);
            return ProviderOutcome<TResponse>.Failed(provider, ProviderStatusMapping.ToDeskStatus(provider.Id, ex), latency);
        }
    }

    // Redis keeps fetch times to the microsecond: so does every answer, live or cached, so they compare equal.
    private DateTimeOffset FetchTimeNow()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
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
        var outcome = await CallAsync(provider, operation, request, desk).ConfigureAwait(false);
        return (outcome.ResponseOrThrow(), outcome.ToSourceStatus());
    }
}
