using Grpc.Core;
using ProviderGateway.Errors;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Security;

/// <summary>
/// A status answered from ASP.NET Core middleware before any gRPC code runs (authentication, rate limit), in the
/// call's own protocol: a JSON <c>google.rpc.Status</c> body under the mapped HTTP status for a JSON call,
/// <see cref="TrailersOnly"/> for gRPC and gRPC-Web (whose middleware turns it into a gRPC-Web response). Counted in
/// <see cref="GatewayMetrics.DeskCall"/>.
/// </summary>
public static class EarlyStatus
{
    /// <summary>Answers the call with <paramref name="status"/>; the response must not have started.</summary>
    public static Task WriteAsync(HttpContext context, Google.Rpc.Status status)
    {
        var call = FrontDeskCalls.Of(context);
        if (call?.TryClaimDeskCallCount() ?? true)
        {
            context.RequestServices.GetService<GatewayMetrics>()?.DeskCall(call?.Method.Name ?? "unknown", (StatusCode)status.Code);
        }

        // Its message for people in the call's language (as every status the gateway writes).
        if (context.RequestServices.GetService<ICallLanguages>() is { } languages)
        {
            status = StatusLocalization.Localized(status, languages.TargetOf(context));
        }

        if (call?.IsJson ?? JsonStatus.IsJsonCall(context))
        {
            return JsonStatus.WriteAsync(context.Response, status);
        }

        TrailersOnly.Set(context.Response, status);
        return Task.CompletedTask;
    }
}
