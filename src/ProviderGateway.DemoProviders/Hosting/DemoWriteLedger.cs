using System.Collections.Concurrent;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// Counts, per write <c>request_id</c>, how many times a write was received and how many times its effect
/// was applied, so that exactly-once tests can tell a replayed retry (received twice, applied once) from a
/// duplicate (applied twice). Thread-safe; every demo provider server has its own.
/// </summary>
/// <remarks>
/// <para>
/// Received counts each write call whose fields were valid and which reached the idempotency check,
/// whatever came of it: applied, replayed, or refused by the provider's rules (FAILED_PRECONDITION,
/// NOT_FOUND, ALREADY_EXISTS for a request_id reused with another payload). Applied counts each time the
/// write's effect ran to completion and was recorded; an effect refused by the provider's rules changed
/// nothing and is not counted.
/// </para>
/// <para>
/// Keys are request_ids in lower case (they are UUIDs and carry no personal data). The provider scopes a
/// request_id to the calling gateway client and the method as well; the ledger does not, so two clients or
/// two methods using the same request_id share one entry.
/// </para>
/// </remarks>
public sealed class DemoWriteLedger
{
    private readonly ConcurrentDictionary<string, Counts> _perRequest = new(StringComparer.Ordinal);
    private long _totalReceived;
    private long _totalApplied;

    /// <summary>Writes received with <paramref name="requestId"/> (in any case); 0 if none.</summary>
    public long Received(string requestId) =>
        _perRequest.TryGetValue(KeyOf(requestId), out var counts) ? Volatile.Read(ref counts.Received) : 0;

    /// <summary>Times the effect of the write with <paramref name="requestId"/> (in any case) was applied; 0 if never.</summary>
    public long Applied(string requestId) =>
        _perRequest.TryGetValue(KeyOf(requestId), out var counts) ? Volatile.Read(ref counts.Applied) : 0;

    /// <summary>Writes received, of every request_id.</summary>
    public long TotalReceived => Volatile.Read(ref _totalReceived);

    /// <summary>Effects applied, of every request_id.</summary>
    public long TotalApplied => Volatile.Read(ref _totalApplied);

    /// <summary>The counts of every request_id received so far, keyed by request_id in lower case.</summary>
    public IReadOnlyDictionary<string, DemoWriteCount> Snapshot() =>
        _perRequest.ToDictionary(
            p => p.Key,
            p => new DemoWriteCount(Volatile.Read(ref p.Value.Received), Volatile.Read(ref p.Value.Applied)),
            StringComparer.Ordinal);

    /// <summary>Forgets every write counted so far (not the writes themselves: a retry is still replayed).</summary>
    public void Reset()
    {
        _perRequest.Clear();
        Volatile.Write(ref _totalReceived, 0);
        Volatile.Write(ref _totalApplied, 0);
    }

    /// <summary>Counts a write with <paramref name="requestId"/> that reached the idempotency check.</summary>
    internal void RecordReceived(string requestId)
    {
        Interlocked.Increment(ref CountsOf(requestId).Received);
        Interlocked.Increment(ref _totalReceived);
    }

    /// <summary>Counts an application of the effect of the write with <paramref name="requestId"/>.</summary>
    internal void RecordApplied(string requestId)
    {
        Interlocked.Increment(ref CountsOf(requestId).Applied);
        Interlocked.Increment(ref _totalApplied);
    }

    private Counts CountsOf(string requestId) => _perRequest.GetOrAdd(KeyOf(requestId), static _ => new Counts());

    private static string KeyOf(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return requestId.ToLowerInvariant();
    }

    private sealed class Counts
    {
        public long Received;
        public long Applied;
    }
}

/// <summary>How often one write request_id was received and applied (see <see cref="DemoWriteLedger"/>).</summary>
/// <param name="Received">Write calls with this request_id that reached the idempotency check.</param>
/// <param name="Applied">Times the write's effect was applied; 1 at most when writes are exactly-once.</param>
public sealed record DemoWriteCount(long Received, long Applied);
