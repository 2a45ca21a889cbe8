namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// The console's browser tests, one class after another (each class has its own gateway and chromium): a browser
/// compiling the .NET runtime to WebAssembly takes a core by itself, and two at once on CI's two cores made page loads
/// the slowest thing in the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeskConsoleCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "DeskConsole";
}
