namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// Tests that read a gateway's metrics scrape. OpenTelemetry listens to meters by name across the whole
/// process, so while other gateways run in the test process their series would show in the scrape too
/// (in production there is one gateway per process). They run by themselves, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Metrics";
}
