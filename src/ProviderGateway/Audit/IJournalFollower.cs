namespace ProviderGateway.Audit;

/// <summary>One chained line of the journal as its writer wrote it.</summary>
/// <param name="Seq">The line's seq.</param>
/// <param name="Hash">The line's HASH (its link in the chain).</param>
/// <param name="Record">The access it records; <c>null</c> for a gateway event (<c>resumed</c>).</param>
public readonly record struct JournaledLine(long Seq, string Hash, AccessRecord? Record);

/// <summary>
/// Something kept from the journal's lines once they are on disk, such as the access history's index. The journal's
/// writer hands each follower every chained line, in seq order, after the file holding it was synced to disk (so a
/// follower is never ahead of what a power cut leaves of the journal). Like <see cref="IJournalAnchor"/>, a follower
/// is registered as a service and is never on a call's path.
/// </summary>
public interface IJournalFollower
{
    /// <summary>
    /// Takes <paramref name="lines"/> of the journal of instance <paramref name="instance"/>, synced to disk. Called on the
    /// journal's writer: must not block and must not throw (a follower that cannot keep up drops lines and reads them back
    /// from the journal's files later). The list is the follower's to keep.
    /// </summary>
    void Written(string instance, IReadOnlyList<JournaledLine> lines);
}
