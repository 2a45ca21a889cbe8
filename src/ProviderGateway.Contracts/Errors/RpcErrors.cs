using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Identifiers;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Contracts.Errors;

/// <summary>
/// Builds the errors the contracts prescribe: canonical gRPC codes carrying <c>google.rpc</c> details
/// (BadRequest field violations, ResourceInfo, ErrorInfo with a stable reason), so that callers in
/// any language can act on them. Use from a provider implementation:
/// <code>throw RpcErrors.NotFound("utilities.v1.Account", accountNumber, "No such account for this citizen.");</code>
/// </summary>
public static class RpcErrors
{
    /// <summary>The <c>google.rpc.ErrorInfo.domain</c> of every error defined by these contracts.</summary>
    public const string Domain = "providergateway.kz";

    /// <summary>A field violation of a <see cref="BadRequest"/>.</summary>
    /// <param name="Field">Path of the offending request field, for example <c>iin</c> or <c>reading_date.month</c>.</param>
    /// <param name="Description">What is wrong, for people. Never includes the offending value.</param>
    /// <param name="Reason">Stable UPPER_SNAKE_CASE reason, for programs.</param>
    public sealed record Violation(string Field, string Description, string Reason);

    /// <summary>INVALID_ARGUMENT with a <c>google.rpc.BadRequest</c> listing every violation.</summary>
    public static RpcException InvalidArgument(IReadOnlyList<Violation> violations)
    {
        ArgumentOutOfRangeException.ThrowIfZero(violations.Count);
        var badRequest = new BadRequest();
        foreach (var v in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
            {
                Field = v.Field,
                Description = v.Description,
                Reason = v.Reason,
            });
        }

        var message = violations.Count == 1
            ? $"Invalid {violations[0].Field}: {violations[0].Description}"
            : $"{violations.Count} invalid fields: {string.Join(", ", violations.Select(v => v.Field).Distinct())}.";
        return Build(StatusCode.InvalidArgument, message, badRequest, ErrorInfo(ErrorReasons.InvalidRequest));
    }

    /// <summary>INVALID_ARGUMENT for one field.</summary>
    public static RpcException InvalidArgument(string field, string description, string reason) =>
        InvalidArgument([new Violation(field, description, reason)]);

    /// <summary>INVALID_ARGUMENT for an identifier that failed validation.</summary>
    public static RpcException InvalidArgument(string field, IdentifierProblem problem) =>
        InvalidArgument(field, problem.Description, problem.Reason);

    /// <summary>
    /// NOT_FOUND with a <c>google.rpc.ResourceInfo</c>. <paramref name="resourceName"/> is echoed to the
    /// caller who sent it; never log it.
    /// </summary>
    public static RpcException NotFound(string resourceType, string resourceName, string description) =>
        Build(
            StatusCode.NotFound,
            description,
            new ResourceInfo { ResourceType = resourceType, ResourceName = resourceName, Description = description },
            ErrorInfo("RESOURCE_NOT_FOUND", new() { ["resource_type"] = resourceType }));

    /// <summary>FAILED_PRECONDITION with a <c>google.rpc.PreconditionFailure</c>.</summary>
    public static RpcException FailedPrecondition(string type, string subject, string description, string reason) =>
        Build(
            StatusCode.FailedPrecondition,
            description,
            new PreconditionFailure
            {
                Violations = { new PreconditionFailure.Types.Violation { Type = type, Subject = subject, Description = description } },
            },
            ErrorInfo(reason));

    /// <summary>A status with the given code, message and details, always with an ErrorInfo.</summary>
    public static RpcException Build(StatusCode code, string message, params Google.Protobuf.IMessage[] details)
    {
        var status = new Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return status.ToRpcException();
    }

    /// <summary>A <c>google.rpc.ErrorInfo</c> in <see cref="Domain"/>.</summary>
    public static ErrorInfo ErrorInfo(string reason, Dictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (metadata is not null)
        {
            info.Metadata.Add(metadata);
        }

        return info;
    }
}
