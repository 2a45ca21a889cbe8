namespace ProviderGateway.Submissions;

/// <summary>
/// The open submissions per provider as the relay last counted them (<see cref="SubmissionStore.OpenStatisticsAsync"/>):
/// what the metrics' gauges and readiness read, without a query of their own.
/// </summary>
public sealed class SubmissionBacklog
{
    private volatile Snapshot _current = new([], null);

    /// <summary>The last count, and when it was taken (<c>null</c> before the first).</summary>
    public Snapshot Current => _current;

    /// <summary>Records a new count.</summary>
    public void Update(IReadOnlyList<OpenSubmissionStats> providers, DateTimeOffset at) => _current = new Snapshot(providers, at);

    /// <summary>One count.</summary>
    /// <param name="Providers">Per provider with open submissions: how many ACCEPTED, ON_DELIVERY, and the oldest's acceptance.</param>
    /// <param name="TakenAt">When it was counted.</param>
    public sealed record Snapshot(IReadOnlyList<OpenSubmissionStats> Providers, DateTimeOffset? TakenAt);
}
