using System.Collections.Concurrent;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// Counts the calls a demo provider received, per contract method ("ListAccounts"), as they arrive:
/// before any fault is injected, so a call that was made to fail still counts. Thread-safe.
/// Tests use it to see whether the gateway called a provider at all (a cache hit does not).
/// </summary>
public sealed class DemoCallCounter
{
    private readonly ConcurrentDictionary<string, Counter> _perMethod = new(StringComparer.Ordinal);
    private long _total;
    private string? _lastTraceParent;
    private DemoCaller? _lastCaller;

    /// <summary>Calls received of the method named <paramref name="method"/> (for example "ListAccounts"); 0 if none.</summary>
    public long this[string method] => _perMethod.TryGetValue(method, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    /// <summary>Calls received of every contract method.</summary>
    public long Total => Volatile.Read(ref _total);

    /// <summary>The W3C <c>traceparent</c> header of the last call received, or <c>null</c> when it had none.</summary>
    public string? LastTraceParent => Volatile.Read(ref _lastTraceParent);

    /// <summary>Who the gateway said the last call was for (its x-client-id, x-operator-id, x-access-purpose), or <c>null</c> before any call.</summary>
    public DemoCaller? LastCaller => Volatile.Read(ref _lastCaller);

    /// <summary>The count of every method called so far.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        _perMethod.ToDictionary(p => p.Key, p => Volatile.Read(ref p.Value.Value), StringComparer.Ordinal);

    /// <summary>Forgets every call counted so far.</summary>
    public void Reset()
    {
        _perMethod.Clear();
        Volatile.Write(ref _total, 0);
        Volatile.Write(ref _lastTraceParent, null);
        Volatile.Write(ref _lastCaller, null);
    }

    internal void Record(string method, string? traceParent, DemoCaller? caller = null)
    {
        Volatile.Write(ref _lastCaller, caller);
        Interlocked.Increment(ref _perMethod.GetOrAdd(method, static _ => new Counter()).Value);
        Interlocked.Increment(ref _total);
        Volatile.Write(ref _lastTraceParent, traceParent);
    }

    private sealed class Counter
    {
        public long Value;
    }
}

/// <summary>The caller metadata a provider receives from the gateway with each call.</summary>
/// <param name="ClientId">Metadata <c>x-client-id</c>: the gateway's client (the office's application).</param>
/// <param name="OperatorId">Metadata <c>x-operator-id</c>: the operator at the desk.</param>
/// <param name="Purpose">Metadata <c>x-access-purpose</c>: the purpose of access.</param>
public sealed record DemoCaller(string? ClientId, string? OperatorId, string? Purpose);
