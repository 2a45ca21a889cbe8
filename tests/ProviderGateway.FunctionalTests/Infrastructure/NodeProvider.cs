using System.Text.RegularExpressions;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// The Node.js land registry provider of <c>NodeProvider/</c> (written from the .proto files alone) as
/// its own process on a free loopback port.
/// </summary>
public sealed partial class NodeProvider : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private NodeProvider(ChildProcess process)
    {
        _process = process;
        Address = new Uri($"http://{process.ReadyMatch.Groups["authority"].Value}");
    }

    /// <summary>Where it serves gRPC (h2c).</summary>
    public Uri Address { get; }

    /// <summary>Starts the provider and waits for its "listening on" line.</summary>
    public static async Task<NodeProvider> StartLandRegistryAsync()
    {
        var command = new ProcessCommand("node", [Repository.NodeLandRegistryProvider, "--port", "0"]) { WorkingDirectory = Repository.Root };
        try
        {
            return new NodeProvider(await ChildProcess.StartAsync("node land registry provider", command, ListeningLine(), TimeSpan.FromSeconds(30)));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"The Node provider did not start (is 'npm ci' done?): {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^land-registry-provider listening on (?<authority>127\.0\.0\.1:\d+)$")]
    private static partial Regex ListeningLine();
}
