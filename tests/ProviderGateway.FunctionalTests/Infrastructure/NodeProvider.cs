using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// The Node.js land registry provider of <c>NodeProvider/</c> (written from the .proto files alone) as
/// its own process on a free loopback port.
/// </summary>
public sealed partial class NodeProvider : IAsyncDisposable
{
    private readonly Process _process;

    private NodeProvider(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Where it serves gRPC (h2c).</summary>
    public Uri Address { get; }

    /// <summary>Starts the provider and waits for its "listening on" line.</summary>
    public static async Task<NodeProvider> StartLandRegistryAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        start.ArgumentList.Add(Repository.NodeLandRegistryProvider);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = new StringBuilder();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new NodeProvider(process, new Uri($"http://{match.Groups["authority"].Value}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"The Node provider did not start (is 'npm ci' done?): {output}{await errors}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"^land-registry-provider listening on (?<authority>127\.0\.0\.1:\d+)$")]
    private static partial Regex ListeningLine();
}
