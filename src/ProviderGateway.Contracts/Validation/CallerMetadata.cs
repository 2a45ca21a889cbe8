using System.Text.RegularExpressions;

namespace ProviderGateway.Contracts.Validation;

/// <summary>
/// The metadata every personal-data call carries to say who asks and why: the operator at the desk
/// (<c>x-operator-id</c>) and the purpose of access (<c>x-access-purpose</c>). The gateway refuses a call whose values
/// break these rules; a desk checks them with the same code before it calls. The reasons are the
/// <c>google.rpc.BadRequest.FieldViolation.reason</c>s the gateway answers with (messages in <c>ErrorMessages</c>).
/// </summary>
public static partial class CallerMetadata
{
    /// <summary>The metadata naming the operator at the desk.</summary>
    public const string OperatorHeader = "x-operator-id";

    /// <summary>The metadata stating the purpose of access.</summary>
    public const string PurposeHeader = "x-access-purpose";

    /// <summary>
    /// Why <paramref name="operatorId"/> is not an operator id (1 to 64 of letters, digits and <c>. _ @ -</c>):
    /// <c>OPERATOR_ID_REQUIRED</c> or <c>OPERATOR_ID_INVALID</c>; <c>null</c> when it is one.
    /// </summary>
    public static string? OperatorIdProblem(string? operatorId) =>
        string.IsNullOrEmpty(operatorId) ? "OPERATOR_ID_REQUIRED" : OperatorPattern().IsMatch(operatorId) ? null : "OPERATOR_ID_INVALID";

    /// <summary>
    /// Why <paramref name="purpose"/> is not a purpose code (3 to 64 of a-z, 0-9, '-' and '_', starting with a letter
    /// or digit, such as <c>citizen-enquiry</c>): <c>ACCESS_PURPOSE_REQUIRED</c> or <c>ACCESS_PURPOSE_INVALID</c>;
    /// <c>null</c> when it is one.
    /// </summary>
    public static string? PurposeProblem(string? purpose) =>
        string.IsNullOrEmpty(purpose) ? "ACCESS_PURPOSE_REQUIRED" : PurposePattern().IsMatch(purpose) ? null : "ACCESS_PURPOSE_INVALID";

    [GeneratedRegex(@"^[A-Za-z0-9._@-]{1,64}\z")]
    private static partial Regex OperatorPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{2,63}\z")]
    private static partial Regex PurposePattern();
}
