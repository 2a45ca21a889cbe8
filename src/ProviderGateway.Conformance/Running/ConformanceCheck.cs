namespace ProviderGateway.Conformance.Running;

/// <summary>
/// One check of the kit, for example <c>validation.iin.ListAccounts</c>: the id's first part is its
/// category (health, deadline, validation, format, not_found, other_citizen, unknown_citizen, paging, data,
/// idempotency, request_id, precondition).
/// </summary>
/// <param name="Id">Stable id, also the JUnit test case name.</param>
/// <param name="Description">What the provider must do to pass, in one sentence.</param>
/// <param name="Run">The check: returns when it passes, throws <see cref="ConformanceFailure"/> (or any other exception) when not.</param>
internal sealed record ConformanceCheck(string Id, string Description, Func<CancellationToken, Task> Run)
{
    /// <summary>The first part of <see cref="Id"/>.</summary>
    public string Category => Id[..Id.IndexOf('.', StringComparison.Ordinal)];
}

/// <summary>The outcome of one check.</summary>
/// <param name="Check">The check.</param>
/// <param name="Passed">Whether the provider passed it.</param>
/// <param name="Message">Why it failed ("" when it passed).</param>
/// <param name="Duration">How long it took.</param>
internal sealed record CheckResult(ConformanceCheck Check, bool Passed, string Message, TimeSpan Duration);

/// <summary>The outcome of a run against one provider.</summary>
/// <param name="Domain">The contract checked.</param>
/// <param name="Target">The provider's address.</param>
/// <param name="Results">One result per check, in the order run.</param>
/// <param name="Duration">How long the whole run took.</param>
internal sealed record ConformanceReport(ContractDomain Domain, Uri Target, IReadOnlyList<CheckResult> Results, TimeSpan Duration)
{
    /// <summary>The checks that failed.</summary>
    public IEnumerable<CheckResult> Failures => Results.Where(r => !r.Passed);

    /// <summary>Whether every check passed.</summary>
    public bool Passed => Results.All(r => r.Passed);
}

/// <summary>A check's verdict that the provider does not conform, with a message saying what was expected and what came back.</summary>
internal sealed class ConformanceFailure(string message) : Exception(message);
