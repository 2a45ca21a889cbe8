using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.DemoProviders.Logging;
using ProviderGateway.DemoProviders.Services;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// Counts every call of the provider's contract as it arrives, then injects the configured faults:
/// down, hang, latency and random failures, in that order. Health and reflection calls pass untouched.
/// </summary>
internal sealed class DemoCallInterceptor(
    DemoSeedProvider provider,
    DemoCallCounter calls,
    DemoFaults faults,
    IHostApplicationLifetime lifetime,
    ILogger<DemoCallInterceptor> logger) : Interceptor
{
    /// <summary>The ErrorInfo reason of every call refused while the provider is down.</summary>
    public const string ProviderDownReason = "PROVIDER_DOWN";

    /// <summary>The ErrorInfo reason of a randomly injected failure.</summary>
    public const string InjectedFaultReason = "INJECTED_FAULT";

    // "/providergateway.utilities.v1.UtilitiesService/": the prefix of every method of the contract.
    private readonly string _methodPrefix = $"/{DemoContracts.ServiceNameOf(provider.Domain)}/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.StartsWith(_methodPrefix, StringComparison.Ordinal))
        {
            return continuation(request, context);
        }

        var method = context.Method[_methodPrefix.Length..];
        var traceParent = context.GetHttpContext().Request.Headers.TraceParent;
        var headers = context.GetHttpContext().Request.Headers;
        calls.Record(
            method,
            StringValues.IsNullOrEmpty(traceParent) ? null : traceParent.ToString(),
            new DemoCaller(headers[GatewayClient.Header].FirstOrDefault(), headers["x-operator-id"].FirstOrDefault(), headers["x-access-purpose"].FirstOrDefault()));

        if (faults.Down)
        {
            DemoProviderLog.FaultInjected(logger, method, "down");
            return Task.FromException<TResponse>(ProviderDown());
        }

        // The fault-free path stays synchronous: no state machine for the common case.
        return faults.Hang || faults.Latency > TimeSpan.Zero || faults.ErrorRate > 0
            ? WithFaultsAsync(request, context, continuation, method)
            : continuation(request, context);
    }

    private async Task<TResponse> WithFaultsAsync<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation, string method)
        where TRequest : class
        where TResponse : class
    {
        // The caller's cancellation and deadline end a delay, and so does the server stopping: a hanging
        // call must not hold up StopAsync until the shutdown timeout.
        using var callOrServer = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        if (faults.Hang)
        {
            DemoProviderLog.FaultInjected(logger, method, "hang");
            await DelayAsync(Timeout.InfiniteTimeSpan, callOrServer.Token);
        }

        var latency = faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            DemoProviderLog.FaultInjected(logger, method, "latency");
            await DelayAsync(latency, callOrServer.Token);
        }

        if (faults.NextCallFails())
        {
            DemoProviderLog.FaultInjected(logger, method, "error");
            throw RpcErrors.Build(
                faults.ErrorCode,
                "Injected failure (demo provider fault injection).",
                RpcErrors.ErrorInfo(InjectedFaultReason, new() { ["provider_id"] = provider.Id }));
        }

        return await continuation(request, context);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw lifetime.ApplicationStopping.IsCancellationRequested
                ? RpcErrors.Build(StatusCode.Unavailable, "The demo provider is stopping.", RpcErrors.ErrorInfo(ProviderDownReason, new() { ["provider_id"] = provider.Id }))
                : new RpcException(new Status(StatusCode.Cancelled, "The caller cancelled the call (or its deadline passed) while the demo provider delayed it."));
        }
    }

    private RpcException ProviderDown() => RpcErrors.Build(
        StatusCode.Unavailable,
        "The provider is down (demo provider fault injection).",
        RpcErrors.ErrorInfo(ProviderDownReason, new() { ["provider_id"] = provider.Id }));
}
