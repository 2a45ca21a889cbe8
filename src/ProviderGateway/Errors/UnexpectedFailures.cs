using System.Diagnostics;
using Grpc.Core;

namespace ProviderGateway.Errors;

/// <summary>
/// The last line of defence: an exception that is not an <see cref="RpcException"/> would reach the desk as UNKNOWN. It
/// becomes INTERNAL with an ErrorInfo carrying a trace id, and is logged under that id; an
/// <see cref="OperationCanceledException"/> of a call its caller cancelled becomes CANCELLED. Applied to every method of
/// every service where the gateway binds them (<c>Hosting/GrpcServiceBinding</c>), not as a gRPC interceptor: an
/// interceptor costs an activation and an asynchronous wrapper on every call.
/// </summary>
public sealed partial class UnexpectedFailures(ILogger<UnexpectedFailures> logger)
{
    /// <summary>
    /// <paramref name="call"/> with its unexpected failure translated: as it is when it is over (a memory hit, a refusal:
    /// no wrapper), else awaited.
    /// </summary>
    public Task<TResponse> Settled<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        // Awaiting a faulted task would throw its RpcException once more, and a thrown exception costs more than a refused
        // call. A handler cancelled before it first awaited ends as a cancelled task, not a faulted one: translated the same.
        if (call.IsCompleted)
        {
            return call.IsCanceled ? Task.FromException<TResponse>(Translate(new OperationCanceledException(), context))
                : call.IsFaulted && call.Exception!.InnerException is not RpcException
                ? Task.FromException<TResponse>(Translate(call.Exception.InnerException!, context))
                : call;
        }

        return AwaitAsync(call, context);
    }

    /// <summary>Runs a streaming method, its unexpected failures translated.</summary>
    public async Task Streaming(Func<Task> method, ServerCallContext context)
    {
        try
        {
            await method().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex, context);
        }
    }

    /// <summary>The status the desk receives for <paramref name="exception"/>: itself when an <see cref="RpcException"/>.</summary>
    public RpcException Translate(Exception exception, ServerCallContext context)
    {
        if (exception is RpcException rpc)
        {
            return rpc;
        }

        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the caller."));
        }

        var traceId = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
        Unexpected(logger, context.Method, traceId, exception);
        return GatewayErrors.Internal(traceId);
    }

    private async Task<TResponse> AwaitAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex, context);
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Error, Message = "Unexpected failure in {Method}, trace {TraceId}")]
    private static partial void Unexpected(ILogger logger, string method, string traceId, Exception exception);
}
