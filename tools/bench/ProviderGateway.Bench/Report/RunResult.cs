using ProviderGateway.Bench.Load;

namespace ProviderGateway.Bench.Report;

/// <summary>One measured run of one scenario in one round.</summary>
/// <param name="Round">The round (from 1).</param>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Load">What h2load measured.</param>
/// <param name="CpuMicrosecondsPerRequest">CPU microseconds per completed request, per metered process (and "h2load").</param>
/// <param name="PeakRssBytes">Peak resident memory so far, per metered process.</param>
public sealed record RunResult(int Round, string Scenario, LoadResult Load, IReadOnlyDictionary<string, double> CpuMicrosecondsPerRequest, IReadOnlyDictionary<string, long> PeakRssBytes);
