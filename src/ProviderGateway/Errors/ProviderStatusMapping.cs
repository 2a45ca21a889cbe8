using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Errors;

/// <summary>
/// Turns a provider's failure into the status the desk sees. Provider internals never leak: only the
/// codes that describe the desk's own request (bad input, not found, conflict, precondition) pass the
/// provider's message and its BadRequest / ResourceInfo / PreconditionFailure details on; every other
/// failure gets the gateway's own message. Every mapped status carries an ErrorInfo naming the provider.
/// The table is documented in the README ("Status mapping").
/// </summary>
public static partial class ProviderStatusMapping
{
    /// <summary>One row of the mapping table.</summary>
    /// <param name="ProviderCode">What the provider returned.</param>
    /// <param name="DeskCode">What the desk receives.</param>
    /// <param name="Reason">The ErrorInfo reason the desk receives.</param>
    /// <param name="PassesProviderMessage">Whether the provider's message and request-level details are passed on.</param>
    public sealed record Rule(StatusCode ProviderCode, StatusCode DeskCode, string Reason, bool PassesProviderMessage);

    private const int MaximumMessageLength = 300;

    /// <summary>The mapping, one row per gRPC code a provider can return.</summary>
    public static IReadOnlyList<Rule> Table { get; } =
    [
        new(StatusCode.Cancelled, StatusCode.Unavailable, ErrorReasons.ProviderUnavailable, false),
        new(StatusCode.Unknown, StatusCode.Unavailable, ErrorReasons.ProviderInternalError, false),
        new(StatusCode.InvalidArgument, StatusCode.InvalidArgument, ErrorReasons.ProviderRejectedRequest, true),
        new(StatusCode.DeadlineExceeded, StatusCode.DeadlineExceeded, ErrorReasons.ProviderDeadlineExceeded, false),
        new(StatusCode.NotFound, StatusCode.NotFound, ErrorReasons.ResourceNotFound, true),
        new(StatusCode.AlreadyExists, StatusCode.AlreadyExists, ErrorReasons.ProviderConflict, true),
        new(StatusCode.PermissionDenied, StatusCode.PermissionDenied, ErrorReasons.ProviderPermissionDenied, false),
        new(StatusCode.ResourceExhausted, StatusCode.Unavailable, ErrorReasons.ProviderOverloaded, false),
        new(StatusCode.FailedPrecondition, StatusCode.FailedPrecondition, ErrorReasons.ProviderPreconditionFailed, true),
        new(StatusCode.Aborted, StatusCode.Aborted, ErrorReasons.ProviderConflict, true),
        new(StatusCode.OutOfRange, StatusCode.OutOfRange, ErrorReasons.ProviderRejectedRequest, true),
        new(StatusCode.Unimplemented, StatusCode.Unimplemented, ErrorReasons.ProviderMethodUnimplemented, false),
        new(StatusCode.Internal, StatusCode.Unavailable, ErrorReasons.ProviderInternalError, false),
        new(StatusCode.Unavailable, StatusCode.Unavailable, ErrorReasons.ProviderUnavailable, false),
        new(StatusCode.DataLoss, StatusCode.Unavailable, ErrorReasons.ProviderInternalError, false),
        new(StatusCode.Unauthenticated, StatusCode.Unavailable, ErrorReasons.ProviderAuthenticationFailed, false),
    ];

    private static readonly FrozenDictionary<StatusCode, Rule> RulesByCode = Table.ToFrozenDictionary(r => r.ProviderCode);

    /// <summary>
    /// True when a desk status mapped from a provider is an answer about the request (the account does not
    /// exist, the input is invalid) rather than a failure: it is cached like data and never replaced by a
    /// stale answer.
    /// </summary>
    public static bool IsDefinitiveAnswer(int deskCode) => (StatusCode)deskCode is
        StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.OutOfRange;

    /// <summary>
    /// True when a desk status mapped from a provider is the provider's refusal (PERMISSION_DENIED of this call, or
    /// UNAUTHENTICATED of the gateway's credentials): never cached, never hidden behind a stale answer, not a failure
    /// of the provider's health.
    /// </summary>
    public static bool IsRefusal(Status status) =>
        status.Code is (int)StatusCode.PermissionDenied or (int)StatusCode.Unavailable
        && status.GetDetail<ErrorInfo>()?.Reason is ErrorReasons.ProviderPermissionDenied or ErrorReasons.ProviderAuthenticationFailed;

    /// <summary>The desk's status for a provider failure.</summary>
    /// <param name="providerId">The provider that failed.</param>
    /// <param name="failure">What the gRPC client raised.</param>
    /// <param name="cancelledByCaller">True when the desk itself cancelled the call.</param>
    public static Status ToDeskStatus(string providerId, RpcException failure, bool cancelledByCaller)
    {
        if (cancelledByCaller)
        {
            return Build(StatusCode.Cancelled, "The call was cancelled by the caller.", ErrorReasons.CancelledByCaller, providerId, failure.StatusCode, null);
        }

        var rule = RulesByCode.GetValueOrDefault(failure.StatusCode)
            ?? new Rule(failure.StatusCode, StatusCode.Unavailable, ErrorReasons.ProviderInternalError, false);
        var providerStatus = rule.PassesProviderMessage ? failure.GetRpcStatus() : null;
        var message = rule.PassesProviderMessage
            ? $"Provider '{providerId}': {Sanitise(providerStatus?.Message ?? failure.Status.Detail)}"
            : DescribeFailure(providerId, rule.Reason);
        var status = Build(rule.DeskCode, message, rule.Reason, providerId, failure.StatusCode, providerStatus);
        return status;
    }

    /// <summary>UNAVAILABLE when the provider's circuit is open: the call failed fast, with when to try again.</summary>
    public static Status CircuitOpen(string providerId, TimeSpan? retryAfter)
    {
        var status = Build(StatusCode.Unavailable, $"Provider '{providerId}' is failing; the gateway is not calling it for a while.", ErrorReasons.ProviderCircuitOpen, providerId, StatusCode.Unavailable, null);
        if (retryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return status;
    }

    /// <summary>UNAVAILABLE when the provider already has its maximum of calls in flight.</summary>
    public static Status Busy(string providerId) =>
        Build(StatusCode.Unavailable, $"Provider '{providerId}' has as many calls in flight as the gateway allows; try again shortly.", ErrorReasons.ProviderBusy, providerId, StatusCode.ResourceExhausted, null);

    /// <summary>CANCELLED when the desk cancelled its call (or went away) while the gateway waited for the provider.</summary>
    public static Status CancelledByCaller(string providerId) =>
        Build(StatusCode.Cancelled, "The call was cancelled by the caller.", ErrorReasons.CancelledByCaller, providerId, StatusCode.Cancelled, null);

    /// <summary>DEADLINE_EXCEEDED when the desk's time ran out before the provider's answer came.</summary>
    public static Status DeadlineExceeded(string providerId) =>
        Build(StatusCode.DeadlineExceeded, DescribeFailure(providerId, ErrorReasons.ProviderDeadlineExceeded), ErrorReasons.ProviderDeadlineExceeded, providerId, StatusCode.DeadlineExceeded, null);

    /// <summary>The desk's status for a failure that is not a gRPC status (for example a broken channel).</summary>
    public static Status ToDeskStatus(string providerId, Exception failure) =>
        Build(StatusCode.Unavailable, DescribeFailure(providerId, ErrorReasons.ProviderUnavailable), ErrorReasons.ProviderUnavailable, providerId, StatusCode.Unknown, null);

    private static Status Build(StatusCode code, string message, string reason, string providerId, StatusCode providerCode, Status? providerStatus)
    {
        var metadata = new Dictionary<string, string>
        {
            ["provider_id"] = providerId,
            ["provider_code"] = providerCode.ToString(),
        };
        var status = new Status { Code = (int)code, Message = message };
        if (providerStatus is not null)
        {
            foreach (var detail in providerStatus.Details)
            {
                if (detail.Is(BadRequest.Descriptor) || detail.Is(ResourceInfo.Descriptor) || detail.Is(PreconditionFailure.Descriptor))
                {
                    status.Details.Add(detail);
                }
                else if (detail.Is(ErrorInfo.Descriptor)
                    && detail.Unpack<ErrorInfo>() is { } info
                    && ReasonPattern().IsMatch(info.Reason))
                {
                    metadata["provider_reason"] = info.Reason;
                }
            }
        }

        status.Details.Add(Any.Pack(RpcErrors.ErrorInfo(reason, metadata)));
        return status;
    }

    private static string DescribeFailure(string providerId, string reason) => reason switch
    {
        ErrorReasons.ProviderDeadlineExceeded => $"Provider '{providerId}' did not answer within its deadline.",
        ErrorReasons.ProviderOverloaded => $"Provider '{providerId}' is overloaded; try again shortly.",
        ErrorReasons.ProviderInternalError => $"Provider '{providerId}' failed internally.",
        ErrorReasons.ProviderMethodUnimplemented => $"Provider '{providerId}' does not implement this method.",
        ErrorReasons.ProviderPermissionDenied => $"Provider '{providerId}' refused this call: it does not permit this client, operator or purpose.",
        ErrorReasons.ProviderAuthenticationFailed => $"Provider '{providerId}' rejected the gateway's credentials; operators must check its configuration.",
        _ => $"Provider '{providerId}' is unavailable.",
    };

    private static string Sanitise(string message)
    {
        var cleaned = new string([.. message.Where(c => !char.IsControl(c))]).Trim();
        return cleaned.Length <= MaximumMessageLength ? cleaned : cleaned[..MaximumMessageLength] + "…";
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,62}$")]
    private static partial Regex ReasonPattern();
}
