using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Contracts.Validation;

/// <summary>
/// Collects every problem of one request, so the caller learns about all of them in one answer, then
/// throws a single INVALID_ARGUMENT carrying a <c>google.rpc.BadRequest</c>. The rules of
/// <see cref="FieldRules"/> add to it:
/// <code>
/// var violations = new FieldViolations();
/// violations.Iin("iin", request.Iin);
/// violations.Paging(request.PageSize, request.PageToken);
/// violations.ThrowIfAny();
/// </code>
/// </summary>
public sealed class FieldViolations
{
    private List<RpcErrors.Violation>? _violations;

    /// <summary>True when nothing was added.</summary>
    public bool IsEmpty => _violations is null;

    /// <summary>Adds a violation. <paramref name="description"/> must not repeat the offending value.</summary>
    public void Add(string field, string description, string reason) =>
        (_violations ??= []).Add(new RpcErrors.Violation(field, description, reason));

    /// <summary>Adds an identifier's problem, if any.</summary>
    public void Add(string field, IdentifierProblem? problem)
    {
        if (problem is not null)
        {
            Add(field, problem.Description, problem.Reason);
        }
    }

    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT listing every violation, when any was added.</exception>
    public void ThrowIfAny()
    {
        if (_violations is not null)
        {
            throw RpcErrors.InvalidArgument(_violations);
        }
    }
}
