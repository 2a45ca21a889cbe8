using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Conformance.Running;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Conformance.Assertions;

/// <summary>Assertions on the errors a call ends with, reported as <see cref="ConformanceFailure"/>s that say what was expected and what came back.</summary>
internal static class Expect
{
    /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConformanceFailure(message);
        }
    }

    /// <summary>
    /// The call ends with INVALID_ARGUMENT carrying a <c>google.rpc.BadRequest</c> with a field violation of
    /// <paramref name="field"/>. <paramref name="sent"/> says what was wrong with the request, for the report.
    /// </summary>
    public static async Task InvalidArgumentAsync(Func<Task> call, string field, string sent)
    {
        var status = await ErrorAsync(call, StatusCode.InvalidArgument, sent);
        var badRequest = status.GetDetail<BadRequest>() ?? throw new ConformanceFailure(
            $"{sent}: INVALID_ARGUMENT came without a google.rpc.BadRequest detail (grpc-status-details-bin); the caller cannot tell which field is wrong.");
        if (!badRequest.FieldViolations.Any(v => v.Field == field))
        {
            var named = badRequest.FieldViolations.Count == 0 ? "none" : string.Join(", ", badRequest.FieldViolations.Select(v => $"'{v.Field}'"));
            throw new ConformanceFailure($"{sent}: the google.rpc.BadRequest names no violation of field '{field}' (it names {named}).");
        }

        if (badRequest.FieldViolations.First(v => v.Field == field).Description.Length == 0)
        {
            throw new ConformanceFailure($"{sent}: the field violation of '{field}' has no description.");
        }
    }

    /// <summary>
    /// The call ends with NOT_FOUND carrying a <c>google.rpc.ResourceInfo</c> of <paramref name="resourceType"/> whose
    /// resource_name is <paramref name="resourceName"/>, the identifier as the caller sent it.
    /// </summary>
    public static async Task NotFoundAsync(Func<Task> call, string resourceType, string resourceName, string sent)
    {
        var status = await ErrorAsync(call, StatusCode.NotFound, sent);
        var resource = status.GetDetail<ResourceInfo>() ?? throw new ConformanceFailure(
            $"{sent}: NOT_FOUND came without a google.rpc.ResourceInfo detail saying which resource is missing.");
        if (resource.ResourceType != resourceType)
        {
            throw new ConformanceFailure($"{sent}: the google.rpc.ResourceInfo has resource_type '{resource.ResourceType}', expected '{resourceType}'.");
        }

        if (resource.ResourceName != resourceName)
        {
            // Never quote an IIN, even a test citizen's: reports end up in CI logs.
            var named = Contracts.Identifiers.Iin.Validate(resource.ResourceName) is null ? "an IIN" : $"'{resource.ResourceName}'";
            throw new ConformanceFailure(
                $"{sent}: the google.rpc.ResourceInfo has resource_name {named}; it must be the identifier exactly as sent, '{resourceName}' (never personal data).");
        }
    }

    /// <summary>The call ends with <paramref name="code"/> carrying a <c>google.rpc.ErrorInfo</c> with <paramref name="reason"/>.</summary>
    public static async Task<Status> ReasonAsync(Func<Task> call, StatusCode code, string reason, string sent)
    {
        var status = await ErrorAsync(call, code, sent);
        var info = status.GetDetail<ErrorInfo>() ?? throw new ConformanceFailure(
            $"{sent}: {Describe(code)} came without a google.rpc.ErrorInfo; the contract gives it the reason {reason}.");
        if (info.Reason != reason)
        {
            throw new ConformanceFailure($"{sent}: the google.rpc.ErrorInfo has reason '{info.Reason}', expected '{reason}'.");
        }

        return status;
    }

    /// <summary>
    /// The call ends with FAILED_PRECONDITION carrying a <c>google.rpc.PreconditionFailure</c> with a violation and a
    /// <c>google.rpc.ErrorInfo</c> with <paramref name="reason"/>.
    /// </summary>
    public static async Task FailedPreconditionAsync(Func<Task> call, string reason, string sent)
    {
        var status = await ReasonAsync(call, StatusCode.FailedPrecondition, reason, sent);
        if (status.GetDetail<PreconditionFailure>() is not { Violations.Count: > 0 })
        {
            throw new ConformanceFailure($"{sent}: FAILED_PRECONDITION came without a google.rpc.PreconditionFailure naming the violated precondition.");
        }
    }

    /// <summary>
    /// The call fails with <paramref name="code"/>, and its <c>google.rpc.Status</c> details (if any) agree
    /// with the gRPC status. Returns the details ("empty" when the provider sent none).
    /// </summary>
    public static async Task<Status> ErrorAsync(Func<Task> call, StatusCode code, string sent)
    {
        try
        {
            await call();
        }
        catch (RpcException e) when (e.StatusCode == code)
        {
            var status = e.GetRpcStatus();
            if (status is null)
            {
                return new Status { Code = (int)code, Message = e.Status.Detail };
            }

            if (status.Code != (int)code)
            {
                throw new ConformanceFailure(
                    $"{sent}: the google.rpc.Status in grpc-status-details-bin has code {status.Code}, but the call's status is {code} ({(int)code}).");
            }

            return status;
        }
        catch (RpcException e)
        {
            throw new ConformanceFailure($"{sent}: expected {Describe(code)}, got {Describe(e.StatusCode)} \"{e.Status.Detail}\".");
        }

        throw new ConformanceFailure($"{sent}: expected {Describe(code)}, got OK.");
    }

    /// <summary>A status code as the gRPC documentation writes it, for example INVALID_ARGUMENT.</summary>
    public static string Describe(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => code.ToString().ToUpperInvariant(),
    };
}
