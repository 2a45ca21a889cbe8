using Google.Protobuf;
using Grpc.Core;
using Polly;
using ProviderGateway.HealthChecks;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;

namespace ProviderGateway.Pipeline;

/// <summary>
/// What one provider call came to, before it is read as a <see cref="ProviderOutcome{TResponse}"/>
/// (<see cref="ProviderOutcomeMapper"/>).
/// </summary>
/// <typeparam name="TResponse">The provider's response message.</typeparam>
/// <param name="Result">
/// The answer, or why there is none: the provider's <see cref="RpcException"/> (after retries), a
/// <see cref="FailedFast"/> refusal or Polly's broken-circuit exception, or an exception of a broken channel
/// (<see cref="ProviderInvoker"/>).
/// </param>
/// <param name="LastProviderFailure">The last failure the provider itself answered, over every attempt; <c>null</c> if none.</param>
/// <param name="Deadline">When the call's time was up (UTC): the provider's deadline, or the desk's when earlier.</param>
/// <param name="Latency">Time spent on the call, every attempt and backoff included.</param>
public readonly record struct ProviderInvocation<TResponse>(Outcome<TResponse> Result, RpcException? LastProviderFailure, DateTime Deadline, TimeSpan Latency);

/// <summary>
/// One call to one provider, as it goes on the wire: on the provider's channel, with the desk's caller as metadata,
/// under one deadline for all its attempts (the provider's, cut short by the desk's), through the provider's
/// resilience pipeline (<see cref="ProviderResilience"/>: retries of idempotent calls within the budget, the circuit
/// breaker, the concurrency limit). Every attempt feeds passive health. It says what happened and decides nothing
/// about it: <see cref="ProviderOutcomeMapper"/> reads the result for the desk.
/// </summary>
public sealed class ProviderInvoker
{
    private static readonly RpcException NoTimeLeft = new(new Status(StatusCode.DeadlineExceeded, "The desk's time was up before the provider call could start."));

    private readonly Func<ProviderDescriptor, CallInvoker> _channelOf;
    private readonly ProviderResilience _resilience;
    private readonly PassiveHealthTracker _passiveHealth;
    private readonly TimeProvider _time;

    /// <summary>Calls providers on their channels (<see cref="ProviderChannels"/>).</summary>
    public ProviderInvoker(ProviderChannels channels, ProviderResilience resilience, PassiveHealthTracker passiveHealth, TimeProvider time)
        : this(channels.InvokerFor, resilience, passiveHealth, time)
    {
    }

    /// <summary>Calls providers through <paramref name="channelOf"/> (tests: a scripted <see cref="CallInvoker"/>).</summary>
    internal ProviderInvoker(Func<ProviderDescriptor, CallInvoker> channelOf, ProviderResilience resilience, PassiveHealthTracker passiveHealth, TimeProvider time)
    {
        _channelOf = channelOf;
        _resilience = resilience;
        _passiveHealth = passiveHealth;
        _time = time;
    }

    /// <summary>
    /// Calls <paramref name="provider"/>. The provider's failures, the fast refusals and a broken channel come back in the
    /// result, never thrown; a wait cancelled by <see cref="DeskContext.Cancellation"/> (a backoff) throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<ProviderInvocation<TResponse>> InvokeAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = _time.GetTimestamp();

        // DEADLINE: the provider's own, cut short by the desk's when that comes first; for all attempts together.
        var providerDeadline = _time.GetUtcNow().UtcDateTime + provider.Deadline;
        var deadline = desk.Deadline < providerDeadline ? desk.Deadline : providerDeadline;

        // NO TIME LEFT: the desk's time was up before the call could start (a caller that waited on the cache's lock while
        // another caller's call to this provider ran out, say). No call is made, and the provider is not blamed for it:
        // neither its circuit breaker nor its passive health counts a call it never received.
        if (deadline <= _time.GetUtcNow().UtcDateTime)
        {
            return new ProviderInvocation<TResponse>(Outcome.FromException<TResponse>(NoTimeLeft), null, deadline, TimeSpan.Zero);
        }

        RpcException? lastFailure = null;
        try
        {
            // RESILIENCE, then the CALL on the provider's channel, once per attempt.
            var result = await _resilience.ExecuteAsync(
                provider,
                operation.IsRetryable(request),
                deadline,
                async attemptCancellation =>
                {
                    try
                    {
                        var answer = await operation.Invoke(_channelOf(provider), request, new CallOptions(headers: desk.Caller?.ToProviderMetadata(), deadline: deadline, cancellationToken: attemptCancellation)).ResponseAsync.ConfigureAwait(false);
                        _passiveHealth.Record(provider.Id, null);
                        return Outcome.FromResult(answer);
                    }
                    catch (RpcException ex)
                    {
                        _passiveHealth.Record(provider.Id, ex.StatusCode);
                        lastFailure = ex;
                        return Outcome.FromException<TResponse>(ex);
                    }
                },
                desk.Cancellation).ConfigureAwait(false);
            return new ProviderInvocation<TResponse>(result, lastFailure, deadline, _time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ProviderOutcomeMapper.IsBrokenCall(ex))
        {
            // Not a gRPC status: a broken channel or an answer that is not protobuf, handed on like any other failure.
            return new ProviderInvocation<TResponse>(Outcome.FromException<TResponse>(ex), lastFailure, deadline, _time.GetElapsedTime(started));
        }
    }
}
