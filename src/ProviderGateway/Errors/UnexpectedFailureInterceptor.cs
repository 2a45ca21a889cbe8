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
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the caller."));
        }
        catch (Exception ex)
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
            Unexpected(logger, context.Method, traceId, ex);
            throw GatewayErrors.Internal(traceId);
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Error, Message = "Unexpected failure in {Method}, trace {TraceId}")]
    private static partial void Unexpected(ILogger logger, string method, string traceId, Exception exception);
}
