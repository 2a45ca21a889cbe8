using Grpc.Core;
using Polly.CircuitBreaker;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// One provider call on the wire, through the provider's resilience pipeline: which failures are retried and when not,
/// the breaker, the concurrency limit, the deadline and metadata each attempt carries. No server: a scripted channel
/// and a fake clock.
/// </summary>
public sealed class ProviderInvokerTests : IDisposable
{
    private const string Alatau = "alatau-power";

    private static readonly Util.ListAccountsRequest Read = new() { Iin = "791028302728" };
    private static readonly Util.ListAccountsResponse Accounts = new() { Accounts = { new Util.Account { AccountNumber = "AP-1001" } } };
    private static readonly Util.CreateMeterReadingResponse Recorded = new();

    private PipelineHarness _gateway = new([PipelineHarness.Provider(Alatau)]);

    private ScriptedProvider Provider => _gateway.Script(Alatau);

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task A_read_failing_UNAVAILABLE_is_retried_until_it_answers()
    {
        Provider.FailsWith(StatusCode.Unavailable).FailsWith(StatusCode.Unavailable).Answers(Accounts);

        var invocation = await InvokeAsync(Read);

        Assert.Null(invocation.Result.Exception);
        Assert.Same(Accounts, invocation.Result.Result);
        Assert.Equal(3, Provider.CallCount);
        Assert.Equal(2, _gateway.Resilience.BudgetOf(_gateway.Descriptor(Alatau)).Retries);
    }

    [Theory]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.PermissionDenied)]
    public async Task A_failure_other_than_UNAVAILABLE_is_not_retried(StatusCode code)
    {
        Provider.FailsWith(code).Answers(Accounts);

        var invocation = await InvokeAsync(Read);

        Assert.Equal(code, Assert.IsType<RpcException>(invocation.Result.Exception).StatusCode);
        Assert.Equal(1, Provider.CallCount);
    }

    [Fact]
    public async Task A_write_without_a_request_id_is_not_retried()
    {
        Provider.FailsWith(StatusCode.Unavailable).Answers(Recorded);

        var invocation = await InvokeAsync(ProviderOperations.Utilities.CreateMeterReading, new Util.CreateMeterReadingRequest { Iin = "791028302728", AccountNumber = "AP-1001" });

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(invocation.Result.Exception).StatusCode);
        Assert.Equal(1, Provider.CallCount);
    }

    [Fact]
    public async Task A_write_carrying_a_request_id_is_retried()
    {
        Provider.FailsWith(StatusCode.Unavailable).Answers(Recorded);

        var invocation = await InvokeAsync(ProviderOperations.Utilities.CreateMeterReading, new Util.CreateMeterReadingRequest { Iin = "791028302728", AccountNumber = "AP-1001", RequestId = "5f0c3a52-8d7e-4f7b-9a51-1c2d3e4f5a6b" });

        Assert.Same(Recorded, invocation.Result.Result);
        Assert.Equal(2, Provider.CallCount);
    }

    [Fact]
    public async Task Retries_stop_at_the_most_allowed_and_the_last_failure_is_kept()
    {
        Provider.FailsWith(StatusCode.Unavailable);

        var invocation = await InvokeAsync(Read);

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(invocation.Result.Exception).StatusCode);
        Assert.Equal(StatusCode.Unavailable, invocation.LastProviderFailure?.StatusCode);
        Assert.Equal(3, Provider.CallCount); // the call and its 2 retries
    }

    [Fact]
    public async Task No_retry_starts_once_the_providers_deadline_has_passed()
    {
        // The provider's deadline is 2 s: its first attempt took all of it.
        Provider.TakesThenFailsWith(TimeSpan.FromSeconds(2), StatusCode.Unavailable).Answers(Accounts);

        var invocation = await InvokeAsync(Read);

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(invocation.Result.Exception).StatusCode);
        Assert.Equal(1, Provider.CallCount);
    }

    [Fact]
    public async Task No_retry_starts_once_the_desks_earlier_deadline_has_passed()
    {
        Provider.TakesThenFailsWith(TimeSpan.FromMilliseconds(500), StatusCode.Unavailable).Answers(Accounts);

        var invocation = await InvokeAsync(Read, _gateway.Desk(timeLeft: TimeSpan.FromMilliseconds(500)));

        Assert.IsType<RpcException>(invocation.Result.Exception);
        Assert.Equal(1, Provider.CallCount);
        Assert.Equal(_gateway.Time.GetUtcNow().UtcDateTime, invocation.Deadline);
    }

    [Fact]
    public async Task A_call_whose_desk_has_no_time_left_is_not_made_and_not_counted_against_the_provider()
    {
        var breaker = PipelineHarness.Resilient(maxRetries: 0, breakerThroughput: 2);
        _gateway.Dispose();
        _gateway = new PipelineHarness([PipelineHarness.Provider(Alatau)], breaker);
        Provider.Answers(Accounts);

        // Many callers whose time ran out while they waited: none reaches the provider, none opens its circuit.
        for (var i = 0; i < 10; i++)
        {
            var late = await InvokeAsync(Read, _gateway.Desk(timeLeft: TimeSpan.Zero));
            Assert.Equal(StatusCode.DeadlineExceeded, Assert.IsType<RpcException>(late.Result.Exception).StatusCode);
        }

        var onTime = await InvokeAsync(Read);

        Assert.Null(onTime.Result.Exception);
        Assert.Equal(1, Provider.CallCount);
        Assert.Equal(CircuitState.Closed, _gateway.Resilience.CircuitStateOf(_gateway.Descriptor(Alatau)));
    }

    [Fact]
    public async Task A_provider_that_never_answers_is_cut_at_the_deadline_and_not_retried()
    {
        Provider.NeverAnswers().Answers(Accounts);

        var pending = InvokeAsync(Read);
        _gateway.Time.Advance(TimeSpan.FromSeconds(2));
        var invocation = await pending;

        Assert.Equal(StatusCode.DeadlineExceeded, Assert.IsType<RpcException>(invocation.Result.Exception).StatusCode);
        Assert.Equal(1, Provider.CallCount);
    }

    [Fact]
    public async Task Retries_stop_when_the_providers_budget_is_spent()
    {
        // No deposits, no floor: only the 100 retries a budget starts with.
        _gateway.Dispose();
        _gateway = new PipelineHarness([PipelineHarness.Provider(Alatau)], PipelineHarness.Resilient(maxRetries: 4, budgetRatio: 0, budgetPerSecond: 0));
        Provider.FailsWith(StatusCode.Unavailable);
        for (var call = 0; call < 25; call++)
        {
            await InvokeAsync(Read);
        }

        Assert.Equal(125, Provider.CallCount); // 25 calls, 4 retries each

        await InvokeAsync(Read);

        Assert.Equal(126, Provider.CallCount);
        var budget = _gateway.Resilience.BudgetOf(_gateway.Descriptor(Alatau));
        Assert.Equal(100, budget.Retries);
        Assert.Equal(1, budget.Refused);
    }

    [Fact]
    public async Task Each_attempt_carries_the_earlier_deadline_and_the_callers_metadata()
    {
        Provider.Answers(Accounts);
        var now = _gateway.Time.GetUtcNow().UtcDateTime;

        await InvokeAsync(Read, _gateway.Desk(timeLeft: TimeSpan.FromMilliseconds(800)));
        await InvokeAsync(Read, _gateway.Desk(timeLeft: TimeSpan.FromSeconds(30)));

        var (deskFirst, providerFirst) = (Provider.Calls[0], Provider.Calls[1]);
        Assert.Equal(now + TimeSpan.FromMilliseconds(800), deskFirst.Deadline);
        Assert.Equal(now + TimeSpan.FromSeconds(2), providerFirst.Deadline);
        Assert.Equal("karasai-office", deskFirst.Headers?.GetValue("x-client-id"));
        Assert.Equal("operator-7", deskFirst.Headers?.GetValue("x-operator-id"));
        Assert.Equal("citizen-enquiry", deskFirst.Headers?.GetValue("x-access-purpose"));
    }

    [Fact]
    public async Task Every_attempt_counts_in_passive_health()
    {
        Provider.FailsWith(StatusCode.Unavailable).FailsWith(StatusCode.Unavailable).Answers(Accounts);

        await InvokeAsync(Read);

        var report = _gateway.PassiveHealth.ReportOf(Alatau);
        Assert.Equal(3, report.Calls);
        Assert.Equal(2, report.Failures);
        Assert.Equal(StatusCode.Unavailable, report.LastFailureCode);
    }

    [Fact]
    public async Task The_breaker_opens_and_refuses_calls_without_sending_them_until_its_break_is_over()
    {
        _gateway.Dispose();
        _gateway = new PipelineHarness([PipelineHarness.Provider(Alatau)], PipelineHarness.Resilient(maxRetries: 0, breakerThroughput: 2));
        Provider.FailsWith(StatusCode.Internal);
        await InvokeAsync(Read);
        await InvokeAsync(Read);
        Assert.Equal(CircuitState.Open, _gateway.Resilience.CircuitStateOf(_gateway.Descriptor(Alatau)));

        var refused = await InvokeAsync(Read);

        Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<CircuitOpenRefusal>(refused.Result.Exception).RetryAfter);
        Assert.Equal(2, Provider.CallCount);
        var outcome = _gateway.Mapper.ToOutcome(_gateway.Descriptor(Alatau), ProviderOperations.Utilities.ListAccounts.Name, refused, _gateway.Desk());
        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderCircuitOpen, outcome.Status.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);

        // After the break, one trial call goes through.
        _gateway.Time.Advance(TimeSpan.FromSeconds(5));
        await InvokeAsync(Read);

        Assert.Equal(3, Provider.CallCount);
    }

    [Fact]
    public async Task A_call_beyond_the_concurrency_limit_fails_fast_as_PROVIDER_BUSY()
    {
        _gateway.Dispose();
        _gateway = new PipelineHarness([PipelineHarness.Provider(Alatau, maxConcurrentCalls: 1)]);
        Provider.NeverAnswers().Answers(Accounts);
        using var firstDesk = new CancellationTokenSource();
        var first = InvokeAsync(Read, _gateway.Desk(cancellation: firstDesk.Token));
        Assert.Equal(1, Provider.CallCount);

        var refused = await InvokeAsync(Read);

        Assert.IsType<ConcurrencyLimitRefusal>(refused.Result.Exception);
        Assert.Equal(1, Provider.CallCount);
        var outcome = _gateway.Mapper.ToOutcome(_gateway.Descriptor(Alatau), ProviderOperations.Utilities.ListAccounts.Name, refused, _gateway.Desk());
        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderBusy, outcome.Status.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);

        // Once the first call ends, its permit is free again.
        await firstDesk.CancelAsync();
        Assert.Equal(StatusCode.Cancelled, Assert.IsType<RpcException>((await first).Result.Exception).StatusCode);
        Assert.Same(Accounts, (await InvokeAsync(Read)).Result.Result);
    }

    [Fact]
    public async Task A_broken_channel_comes_back_as_the_result_not_thrown()
    {
        Provider.Throws(new HttpRequestException("connection reset"));

        var invocation = await InvokeAsync(Read);

        Assert.IsType<HttpRequestException>(invocation.Result.Exception);
        Assert.Equal(1, Provider.CallCount);
    }

    private Task<ProviderInvocation<Util.ListAccountsResponse>> InvokeAsync(Util.ListAccountsRequest request, DeskContext? desk = null) =>
        InvokeAsync(ProviderOperations.Utilities.ListAccounts, request, desk);

    private Task<ProviderInvocation<TResponse>> InvokeAsync<TRequest, TResponse>(ProviderOperation<TRequest, TResponse> operation, TRequest request, DeskContext? desk = null)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        _gateway.Invoker.InvokeAsync(_gateway.Descriptor(Alatau), operation, request, desk ?? _gateway.Desk());
}
