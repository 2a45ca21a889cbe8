using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// What a provider call came to, read as the source's status: each provider code, running out of time against the desk
/// going away, the fast refusals, a broken channel.
/// </summary>
public sealed class ProviderOutcomeMapperTests : IDisposable
{
    private const string Alatau = "alatau-power";
    private const string Method = "providergateway.utilities.v1.UtilitiesService/ListAccounts";

    private readonly PipelineHarness _gateway = new([PipelineHarness.Provider(Alatau)]);

    private ProviderDescriptor Provider => _gateway.Descriptor(Alatau);

    private DateTime FarDeadline => _gateway.Time.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(2);

    public void Dispose() => _gateway.Dispose();

    [Theory]
    [InlineData(StatusCode.Cancelled, StatusCode.Unavailable, ErrorReasons.ProviderUnavailable)]
    [InlineData(StatusCode.Unknown, StatusCode.Unavailable, ErrorReasons.ProviderInternalError)]
    [InlineData(StatusCode.InvalidArgument, StatusCode.InvalidArgument, ErrorReasons.ProviderRejectedRequest)]
    [InlineData(StatusCode.DeadlineExceeded, StatusCode.DeadlineExceeded, ErrorReasons.ProviderDeadlineExceeded)]
    [InlineData(StatusCode.NotFound, StatusCode.NotFound, ErrorReasons.ResourceNotFound)]
    [InlineData(StatusCode.AlreadyExists, StatusCode.AlreadyExists, ErrorReasons.ProviderConflict)]
    [InlineData(StatusCode.PermissionDenied, StatusCode.PermissionDenied, ErrorReasons.ProviderPermissionDenied)]
    [InlineData(StatusCode.ResourceExhausted, StatusCode.Unavailable, ErrorReasons.ProviderOverloaded)]
    [InlineData(StatusCode.FailedPrecondition, StatusCode.FailedPrecondition, ErrorReasons.ProviderPreconditionFailed)]
    [InlineData(StatusCode.Aborted, StatusCode.Aborted, ErrorReasons.ProviderConflict)]
    [InlineData(StatusCode.OutOfRange, StatusCode.OutOfRange, ErrorReasons.ProviderRejectedRequest)]
    [InlineData(StatusCode.Unimplemented, StatusCode.Unimplemented, ErrorReasons.ProviderMethodUnimplemented)]
    [InlineData(StatusCode.Internal, StatusCode.Unavailable, ErrorReasons.ProviderInternalError)]
    [InlineData(StatusCode.Unavailable, StatusCode.Unavailable, ErrorReasons.ProviderUnavailable)]
    [InlineData(StatusCode.DataLoss, StatusCode.Unavailable, ErrorReasons.ProviderInternalError)]
    [InlineData(StatusCode.Unauthenticated, StatusCode.Unavailable, ErrorReasons.ProviderAuthenticationFailed)]
    public void Each_provider_status_becomes_the_sources_status_and_reason(StatusCode providerCode, StatusCode sourceCode, string reason)
    {
        var outcome = Map(Failure(new RpcException(new Grpc.Core.Status(providerCode, "internal detail of the provider"))), _gateway.Desk());

        Assert.False(outcome.HasResponse);
        Assert.Equal(Freshness.Unspecified, outcome.Freshness);
        Assert.Equal((int)sourceCode, outcome.Status.Code);
        var info = outcome.Status.GetDetail<ErrorInfo>();
        Assert.Equal(reason, info?.Reason);
        Assert.Equal(Alatau, info?.Metadata["provider_id"]);
        Assert.Equal(providerCode.ToString(), info?.Metadata["provider_code"]);
    }

    [Fact]
    public void An_answer_is_LIVE_fetched_now_to_the_microsecond_with_its_latency()
    {
        _gateway.Time.Advance(TimeSpan.FromTicks(1234)); // 123.4 µs past the start
        var answer = new Util.ListAccountsResponse();

        var outcome = Map(new ProviderInvocation<Util.ListAccountsResponse>(Outcome.FromResult(answer), null, FarDeadline, TimeSpan.FromMilliseconds(42)), _gateway.Desk());

        Assert.Same(answer, outcome.Response);
        Assert.Equal((int)StatusCode.OK, outcome.Status.Code);
        Assert.Equal(Freshness.Live, outcome.Freshness);
        Assert.Equal(PipelineHarness.Start + TimeSpan.FromMicroseconds(123), outcome.FetchTime);
        Assert.Equal(TimeSpan.FromMilliseconds(42), outcome.Latency);
    }

    [Theory]
    [InlineData(StatusCode.Cancelled)]
    [InlineData(StatusCode.DeadlineExceeded)]
    public void A_call_the_desk_abandoned_is_CANCELLED(StatusCode providerCode)
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        var desk = _gateway.Desk(cancellation: aborted.Token, aborted: aborted.Token);

        var outcome = Map(Failure(new RpcException(new Grpc.Core.Status(providerCode, ""))), desk);

        Assert.Equal((int)StatusCode.Cancelled, outcome.Status.Code);
        Assert.Equal(ErrorReasons.CancelledByCaller, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public void A_call_cut_by_the_desks_deadline_while_the_desk_still_waits_is_DEADLINE_EXCEEDED()
    {
        // The call's bound fired (the desk's time is up); the desk itself did not go away.
        using var bound = new CancellationTokenSource();
        bound.Cancel();

        var outcome = Map(Failure(new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "Call canceled by the client."))), _gateway.Desk(cancellation: bound.Token));

        Assert.Equal((int)StatusCode.DeadlineExceeded, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderDeadlineExceeded, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public void A_call_cancelled_at_its_own_deadline_is_DEADLINE_EXCEEDED_and_earlier_it_is_the_provider_unavailable()
    {
        var deadline = FarDeadline;
        var cancelled = Failure(new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "")), deadline);

        var early = Map(cancelled, _gateway.Desk());
        _gateway.Time.Advance(deadline - _gateway.Time.GetUtcNow().UtcDateTime - TimeSpan.FromMilliseconds(1)); // within the timer tolerance
        var atDeadline = Map(cancelled, _gateway.Desk());

        Assert.Equal((int)StatusCode.Unavailable, early.Status.Code);
        Assert.Equal((int)StatusCode.DeadlineExceeded, atDeadline.Status.Code);
    }

    [Fact]
    public void A_provider_failure_passes_on_request_details_but_never_an_internal_message()
    {
        var notFound = new Google.Rpc.Status
        {
            Code = (int)StatusCode.NotFound,
            Message = "Account AP-9 not found",
            Details = { Any.Pack(new ResourceInfo { ResourceType = "account", ResourceName = "AP-9" }), Any.Pack(new DebugInfo { Detail = "stack trace" }) },
        };
        var internalFailure = new RpcException(new Grpc.Core.Status(StatusCode.Internal, "NullReferenceException at Billing.cs:42"));

        var mappedNotFound = Map(Failure(notFound.ToRpcException()), _gateway.Desk());
        var mappedInternal = Map(Failure(internalFailure), _gateway.Desk());

        Assert.Contains("Account AP-9 not found", mappedNotFound.Status.Message, StringComparison.Ordinal);
        Assert.NotNull(mappedNotFound.Status.GetDetail<ResourceInfo>());
        Assert.Null(mappedNotFound.Status.GetDetail<DebugInfo>());
        Assert.DoesNotContain("Billing.cs", mappedInternal.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_circuit_fails_fast_as_PROVIDER_CIRCUIT_OPEN_with_when_to_retry()
    {
        var outcome = Map(Failure(new CircuitOpenRefusal(TimeSpan.FromSeconds(4))), _gateway.Desk());

        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderCircuitOpen, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromSeconds(4)), outcome.Status.GetDetail<RetryInfo>()?.RetryDelay);
    }

    [Fact]
    public void A_circuit_opened_during_the_calls_retries_reports_how_the_provider_failed()
    {
        var last = new RpcException(new Grpc.Core.Status(StatusCode.Internal, ""));
        var invocation = new ProviderInvocation<Util.ListAccountsResponse>(Outcome.FromException<Util.ListAccountsResponse>(new BrokenCircuitException()), last, FarDeadline, TimeSpan.Zero);

        var outcome = Map(invocation, _gateway.Desk());

        Assert.Equal(ErrorReasons.ProviderInternalError, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public void A_full_provider_fails_fast_as_PROVIDER_BUSY()
    {
        var outcome = Map(Failure(new ConcurrencyLimitRefusal()), _gateway.Desk());

        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderBusy, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public void A_retry_that_found_the_provider_full_after_a_try_reached_it_reports_how_the_provider_failed_not_PROVIDER_BUSY()
    {
        // The first try reached the provider (it may have applied a write whose answer was lost); the retry found no permit.
        var last = new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, ""));
        var invocation = new ProviderInvocation<Util.ListAccountsResponse>(Outcome.FromException<Util.ListAccountsResponse>(new ConcurrencyLimitRefusal()), last, FarDeadline, TimeSpan.Zero);

        var outcome = Map(invocation, _gateway.Desk());

        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderUnavailable, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
        Assert.True(new ProviderGateway.Delivery.DeliveryAttempt(outcome.Status, null).MayHaveReachedProvider);
    }

    [Theory]
    [InlineData("connection reset")]
    [InlineData("stream closed")]
    [InlineData("not protobuf")]
    public void A_broken_channel_or_an_answer_that_is_not_protobuf_is_the_provider_unavailable(string broken)
    {
        Exception failure = broken switch
        {
            "connection reset" => new HttpRequestException(broken),
            "stream closed" => new IOException(broken),
            _ => Assert.ThrowsAny<Google.Protobuf.InvalidProtocolBufferException>(() => Util.ListAccountsResponse.Parser.ParseFrom([0xFF])),
        };

        var outcome = Map(Failure(failure), _gateway.Desk());

        Assert.Equal((int)StatusCode.Unavailable, outcome.Status.Code);
        Assert.Equal(ErrorReasons.ProviderUnavailable, outcome.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public void Any_other_exception_is_raised_as_it_came()
    {
        var cancelled = new OperationCanceledException();

        Assert.Same(cancelled, Assert.Throws<OperationCanceledException>(() => Map(Failure(cancelled), _gateway.Desk())));
    }

    [Fact]
    public void A_provider_rejecting_the_gateways_credentials_is_warned_of_once_a_minute()
    {
        var time = new FakeTimeProvider(PipelineHarness.Start);
        var log = new WarningCount();
        var mapper = new ProviderOutcomeMapper(time, log);
        var rejected = Failure(new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "")));

        mapper.ToOutcome(Provider, Method, rejected, _gateway.Desk());
        time.Advance(TimeSpan.FromSeconds(59));
        mapper.ToOutcome(Provider, Method, rejected, _gateway.Desk());
        var withinTheMinute = log.Warnings;
        time.Advance(TimeSpan.FromSeconds(1));
        mapper.ToOutcome(Provider, Method, rejected, _gateway.Desk());

        Assert.Equal(1, withinTheMinute);
        Assert.Equal(2, log.Warnings);
    }

    private ProviderOutcome<Util.ListAccountsResponse> Map(in ProviderInvocation<Util.ListAccountsResponse> invocation, DeskContext desk) =>
        _gateway.Mapper.ToOutcome(Provider, Method, invocation, desk);

    private ProviderInvocation<Util.ListAccountsResponse> Failure(Exception failure, DateTime? deadline = null) =>
        new(Outcome.FromException<Util.ListAccountsResponse>(failure), failure as RpcException, deadline ?? FarDeadline, TimeSpan.FromMilliseconds(10));

    /// <summary>Counts warnings logged under the pipeline's category.</summary>
    private sealed class WarningCount : ILogger<ProviderCallPipeline>
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}
