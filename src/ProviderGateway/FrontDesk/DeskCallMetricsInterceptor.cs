using Grpc.Core;
using Grpc.Core.Interceptors;
using ProviderGateway.Security;
using ProviderGateway.Telemetry;

namespace ProviderGateway.FrontDesk;

/// <summary>
/// Counts every front-desk call that reached the service by the gRPC status the desk received
/// (<see cref="GatewayMetrics.DeskCall"/>). The outermost interceptor, so that it sees the status after
/// <see cref="Errors.UnexpectedFailureInterceptor"/> has translated unexpected failures; calls refused before the
/// service (authentication, rate limit, a malformed message) are counted where they are refused.
/// </summary>
public sealed class DeskCallMetricsInterceptor(GatewayMetrics metrics) : Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (FrontDeskCalls.Of(context.GetHttpContext()) is not { } frontDesk || !frontDesk.TryClaimDeskCallCount())
        {
            return continuation(request, context);
        }

        var method = frontDesk.Method;

        var call = continuation(request, context);
        if (call.IsCompleted)
        {
            // Memory hits and refusals: counted at once, no wrapper.
            metrics.DeskCall(method.Name, CodeOf(call));
            return call;
        }

        return CountWhenDoneAsync(call, method.Name);
    }

    private async Task<TResponse> CountWhenDoneAsync<TResponse>(Task<TResponse> call, string method)
    {
        try
        {
            var response = await call.ConfigureAwait(false);
            metrics.DeskCall(method, StatusCode.OK);
            return response;
        }
        catch (RpcException failure)
        {
            metrics.DeskCall(method, failure.StatusCode);
            throw;
        }
    }

    private static StatusCode CodeOf(Task call) => call.Status switch
    {
        TaskStatus.RanToCompletion => StatusCode.OK,
        TaskStatus.Canceled => StatusCode.Cancelled,
        _ => call.Exception?.InnerException is RpcException failure ? failure.StatusCode : StatusCode.Internal,
    };
}
