using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using ProviderGateway.Configuration;
using System.Threading.RateLimiting;
using ProviderGateway.Providers;

namespace ProviderGateway.Resilience;

/// <summary>
/// One Polly resilience pipeline per provider, from outside in: retries of idempotent calls (jittered
/// exponential backoff, within the provider's <see cref="RetryBudget"/>), a circuit breaker (failure ratio
/// over a window; open circuits fail fast; half-open trial calls), and a concurrency limit (a slow provider
/// holds at most N calls; more fail fast). Each provider has its own, so one provider's trouble never touches
/// another's calls.
/// <para>
/// The two fast failures are answered here, before Polly, with outcomes that are never thrown
/// (<see cref="FailedFast"/>): Polly's own rejections (its broken-circuit and rate-limiter exceptions)
/// are given a stack trace each, which made a refused call cost more CPU than a served one, so that a
/// saturated provider slowed the calls to every other provider.
/// </para>
/// </summary>
public sealed class ProviderResilience(
    ResiliencePipelineRegistry<string> registry,
    IOptions<ResilienceOptions> options,
    TimeProvider time)
{
    private static readonly ResiliencePropertyKey<bool> Retryable = new("providergateway.retryable");
    private static readonly ResiliencePropertyKey<DateTime> Deadline = new("providergateway.deadline");

    private readonly ResilienceOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ProviderResilienceState> _states = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="attempt"/> under the provider's pipeline. Failures come back as the outcome's
    /// exception, not thrown: a saturated or broken provider fails thousands of calls, and throwing costs.
    /// </summary>
    /// <param name="provider">The provider called.</param>
    /// <param name="retryable">True for idempotent calls (reads, and writes carrying a request_id).</param>
    /// <param name="deadline">When the call's time is up (UTC); no retry starts after it.</param>
    /// <param name="attempt">One attempt of the call; it returns the provider's failure as an outcome too.</param>
    /// <param name="cancellationToken">The desk's cancellation.</param>
    /// <returns>
    /// The answer, or the failure: <see cref="RpcException"/> from the provider (after retries),
    /// <see cref="CircuitOpenRefusal"/> (or, at the moment it opens, Polly's <see cref="BrokenCircuitException"/>)
    /// when its circuit is open, <see cref="ConcurrencyLimitRefusal"/> when it already has its maximum of calls in flight.
    /// </returns>
    public async ValueTask<Outcome<TResponse>> ExecuteAsync<TResponse>(
        ProviderDescriptor provider,
        bool retryable,
        DateTime deadline,
        Func<CancellationToken, ValueTask<Outcome<TResponse>>> attempt,
        CancellationToken cancellationToken)
    {
        var state = StateOf(provider);

        // FAIL FAST: an open circuit, until its break is over (then Polly lets a trial call through).
        var openFor = state.OpenUntil - time.GetUtcNow();
        if (openFor > TimeSpan.Zero)
        {
            return Outcome.FromException<TResponse>(new CircuitOpenRefusal(openFor));
        }

        state.Budget.OnCall();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Retryable, retryable);
        context.Properties.Set(Deadline, deadline);
        try
        {
            // Executed as Outcome<object>, the type of the pipeline's strategies (shared by every method of the provider,
            // whatever its answer type): executed as Outcome<TResponse>, each strategy's bridge would convert the outcome
            // in an asynchronous wrapper of its own on every call.
            var outcome = await state.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, arguments) =>
                {
                    // CONCURRENCY LIMIT, innermost: each attempt holds a permit only while it is on the wire;
                    // none waits in a queue.
                    using var lease = arguments.State.Limiter.AttemptAcquire();
                    if (!lease.IsAcquired)
                    {
                        return Outcome.FromException<object>(arguments.State.Busy);
                    }

                    var answer = await arguments.Attempt(ctx.CancellationToken).ConfigureAwait(false);
                    return answer.Exception is { } failure ? Outcome.FromException<object>(failure) : Outcome.FromResult<object>(answer.Result!);
                },
                context,
                (State: state, Attempt: attempt)).ConfigureAwait(false);
            return outcome.Exception is { } exception ? Outcome.FromException<TResponse>(exception) : Outcome.FromResult((TResponse)outcome.Result!);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>How long the provider's circuit stays open (zero when it is not open): calls until then fail fast.</summary>
    public TimeSpan OpenFor(ProviderDescriptor provider) =>
        StateOf(provider).OpenUntil - time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    /// <summary>The provider's circuit state.</summary>
    public CircuitState CircuitStateOf(ProviderDescriptor provider) => StateOf(provider).Circuit.CircuitState;

    /// <summary>The provider's retry budget (for reports and tests).</summary>
    public RetryBudget BudgetOf(ProviderDescriptor provider) => StateOf(provider).Budget;

    private ProviderResilienceState StateOf(ProviderDescriptor provider) =>
        _states.GetOrAdd(provider.Id, static (_, arguments) => arguments.Self.Create(arguments.Provider), (Self: this, Provider: provider));

    private ProviderResilienceState Create(ProviderDescriptor provider)
    {
        var retry = _options.Retry;
        var breaker = _options.CircuitBreaker;
        var budget = new RetryBudget(retry.BudgetRatio, retry.BudgetMinimumPerSecond, time);
        var circuit = new CircuitBreakerStateProvider();
        var state = new ProviderResilienceState(circuit, budget, new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = provider.MaxConcurrentCalls, QueueLimit = 0 }));
        state.Pipeline = registry.GetOrAddPipeline(provider.Id, builder =>
        {
            if (retry.MaxRetries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = retry.MaxRetries,
                    Delay = retry.BaseDelay,
                    MaxDelay = retry.MaxDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    // The budget is asked last, and only when a retry would really happen.
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is RpcException failure
                        && ProviderFailures.IsTransient(failure.StatusCode)
                        && args.AttemptNumber < retry.MaxRetries
                        && args.Context.Properties.GetValue(Retryable, false)
                        && time.GetUtcNow().UtcDateTime < args.Context.Properties.GetValue(Deadline, DateTime.MinValue)
                        && budget.TryRetry()),
                });
            }

            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException failure && ProviderFailures.IsFailure(failure.StatusCode)),
                OnOpened = args =>
                {
                    state.OpenUntil = time.GetUtcNow() + args.BreakDuration;
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    state.OpenUntil = DateTimeOffset.MinValue;
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    state.OpenUntil = DateTimeOffset.MinValue;
                    return ValueTask.CompletedTask;
                },
            });
        });
        return state;
    }

    /// <summary>What the gateway keeps per provider.</summary>
    private sealed class ProviderResilienceState(CircuitBreakerStateProvider circuit, RetryBudget budget, ConcurrencyLimiter limiter)
    {
        private long _openUntilTicks = DateTimeOffset.MinValue.UtcTicks;

        public ResiliencePipeline Pipeline { get; set; } = ResiliencePipeline.Empty;

        public CircuitBreakerStateProvider Circuit { get; } = circuit;

        public RetryBudget Budget { get; } = budget;

        public ConcurrencyLimiter Limiter { get; } = limiter;

        // One instance, never thrown: returned for every refused attempt.
        public ConcurrencyLimitRefusal Busy { get; } = new();

        public DateTimeOffset OpenUntil
        {
            get => new(Interlocked.Read(ref _openUntilTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _openUntilTicks, value.UtcTicks);
        }
    }
}
