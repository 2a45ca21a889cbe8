namespace ProviderGateway.Contracts.Identifiers;

/// <summary>
/// Why an identifier was rejected: a stable <see cref="Reason"/> in UPPER_SNAKE_CASE (used as the
/// <c>google.rpc.BadRequest.FieldViolation.reason</c>) and a <see cref="Description"/> for people.
/// Neither ever contains the identifier itself, so both are safe to log.
/// </summary>
public sealed record IdentifierProblem(string Reason, string Description);
