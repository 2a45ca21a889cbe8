using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ProviderGateway.Errors;

/// <summary>
/// The last line of defence: an exception that is not an <see cref="RpcException"/> would reach the
/// desk as UNKNOWN. It becomes INTERNAL with an ErrorInfo carrying a trace id, and is logged under that id.
/// </summary>
public sealed partial class UnexpectedFailureInterceptor(ILogger<UnexpectedFailureInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Answers that complete at once (memory hits) need no async wrapper.
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            return Task.FromException<TResponse>(Translate(ex, context));
        }

        // Calls that are already over (memory hits, refusals) go back as they are: awaiting a faulted task
        // would throw its RpcException once more, and a thrown exception costs more than a refused call.
        // A handler cancelled before it first awaited ends as a cancelled task, not a faulted one: translated the same
        // (CANCELLED when the caller cancelled), or the desk and the journal, inside, could see different statuses.
        if (call.IsCompleted)
        {
            return call.IsCanceled ? Task.FromException<TResponse>(Translate(new OperationCanceledException(), context))
                : call.IsFaulted && call.Exception!.InnerException is not RpcException
                ? Task.FromException<TResponse>(Translate(call.Exception.InnerException!, context))
                : call;
        }

        return AwaitAsync(call, context);
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

    private RpcException Translate(Exception exception, ServerCallContext context)
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

    [LoggerMessage(EventId = 900, Level = LogLevel.Error, Message = "Unexpected failure in {Method}, trace {TraceId}")]
    private static partial void Unexpected(ILogger logger, string method, string traceId, Exception exception);
}
