using Grpc.Core;
using ProviderGateway.Errors;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Security;

/// <summary>
/// The gateway's side of <see cref="FrameworkStatusMiddleware"/>: a request is a front-desk call when it was classified
/// (<see cref="FrontDeskCalls"/>), and a call the framework refused before its service ran is journaled
/// (<see cref="AccessJournaling"/>) and counted in the desk-call metric once, with the status it ended with.
/// </summary>
public sealed class FrameworkRefusals(GatewayMetrics metrics) : IFrameworkRefusals
{
    /// <inheritdoc />
    public (string Method, bool IsJson)? Classify(HttpContext context) =>
        FrontDeskCalls.Of(context) is { } call ? (call.Method.Name, call.IsJson) : null;

    /// <inheritdoc />
    public Action<StatusCode> Refused(HttpContext context)
    {
        var call = FrontDeskCalls.Of(context) ?? throw new InvalidOperationException("Only a classified front-desk call can be refused as one.");
        var counted = call.TryClaimDeskCallCount();
        return code =>
        {
            AccessJournaling.JournalRefusal(context, call, code);
            if (counted)
            {
                metrics.DeskCall(call.Method.Name, code);
            }
        };
    }
}
