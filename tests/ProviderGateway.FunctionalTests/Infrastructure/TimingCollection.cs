namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// Tests that assert how long things take (deadlines, fail-fast). They run by themselves, after the
/// parallel ones, so that the rest of the suite does not eat their time on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Timing";
}
