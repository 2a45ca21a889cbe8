using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// A provider's channel without a server: a <see cref="CallInvoker"/> answering each unary call with the next step of a
/// script (an answer, a failure, or no answer until the call is cancelled or its deadline passes on the fake clock), the
/// last step repeated once the script runs out. Records every call's options.
/// </summary>
internal sealed class ScriptedProvider(FakeTimeProvider time) : CallInvoker
{
    private readonly Lock _lock = new();
    private readonly Queue<Func<CallOptions, Task<IMessage>>> _script = new();
    private readonly List<CallOptions> _calls = [];
    private readonly List<IMessage> _requests = [];
    private Func<CallOptions, Task<IMessage>>? _last;

    /// <summary>Calls received so far.</summary>
    public int CallCount
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>The options of every call received.</summary>
    public IReadOnlyList<CallOptions> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The request of every call received.</summary>
    public IReadOnlyList<IMessage> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Answers the next call with <paramref name="response"/>.</summary>
    public ScriptedProvider Answers(IMessage response) => Then(_ => Task.FromResult(response));

    /// <summary>Fails the next call with <paramref name="code"/>.</summary>
    public ScriptedProvider FailsWith(StatusCode code, string detail = "scripted failure") =>
        Then(_ => Task.FromException<IMessage>(new RpcException(new Status(code, detail))));

    /// <summary>Fails the next call with a failure carrying <c>google.rpc</c> details.</summary>
    public ScriptedProvider FailsWith(Google.Rpc.Status status) =>
        Then(_ => Task.FromException<IMessage>(status.ToRpcException()));

    /// <summary>Fails the next call with an exception that is not a gRPC status (a broken channel).</summary>
    public ScriptedProvider Throws(Exception failure) => Then(_ => Task.FromException<IMessage>(failure));

    /// <summary>Moves the clock on by <paramref name="duration"/> (the provider took that long), then fails with <paramref name="code"/>.</summary>
    public ScriptedProvider TakesThenFailsWith(TimeSpan duration, StatusCode code) => Then(_ =>
    {
        time.Advance(duration);
        return Task.FromException<IMessage>(new RpcException(new Status(code, "scripted failure")));
    });

    /// <summary>
    /// Never answers the next call: it fails CANCELLED when the call is cancelled, DEADLINE_EXCEEDED when its deadline
    /// passes on the fake clock (as grpc-dotnet's client does).
    /// </summary>
    public ScriptedProvider NeverAnswers() => Then(options =>
    {
        var pending = new TaskCompletionSource<IMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = options.CancellationToken.Register(() => pending.TrySetException(new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."))));
        ITimer? deadline = null;
        if (options.Deadline is { } at && at != DateTime.MaxValue)
        {
            var remaining = at - time.GetUtcNow().UtcDateTime;
            deadline = time.CreateTimer(_ => pending.TrySetException(new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))), null, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        _ = pending.Task.ContinueWith(_ => { cancelled.Dispose(); deadline?.Dispose(); }, TaskScheduler.Default);
        return pending.Task;
    });

    private ScriptedProvider Then(Func<CallOptions, Task<IMessage>> step)
    {
        lock (_lock)
        {
            _script.Enqueue(step);
        }

        return this;
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Func<CallOptions, Task<IMessage>> step;
        lock (_lock)
        {
            _calls.Add(options);
            _requests.Add((IMessage)request);
            step = _script.TryDequeue(out var next) ? _last = next : _last ?? throw new InvalidOperationException("The provider's script is empty.");
        }

        return new AsyncUnaryCall<TResponse>(Respond<TResponse>(step(options)), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    private static async Task<TResponse> Respond<TResponse>(Task<IMessage> answer) => (TResponse)await answer.ConfigureAwait(false);

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();
}
