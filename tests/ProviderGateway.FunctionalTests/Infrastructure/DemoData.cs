using ProviderGateway.DemoProviders;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>The demo seed, read from the same file the demo providers serve.</summary>
public static class DemoData
{
    /// <summary>The seed.</summary>
    public static DemoSeed Seed { get; } = DemoSeed.Load(Repository.Seed);

    /// <summary>A valid IIN that no demo provider knows.</summary>
    public static string UnknownIin { get; } = Enumerable.Range(0, 9999)
        .Select(serial => Contracts.Identifiers.Iin.Create(new DateOnly(1990, 1, 15), male: true, serial))
        .OfType<string>()
        .First(iin => Seed.Citizens.All(c => c.Iin != iin));
}
