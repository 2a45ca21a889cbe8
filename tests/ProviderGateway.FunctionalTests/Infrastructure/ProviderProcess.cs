using System.Text.RegularExpressions;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A provider written outside the .NET solution, from the .proto files alone, as its own process on a free loopback
/// port: the Node.js land registry provider of <c>NodeProvider/</c>, or the provider guide's Python recipe
/// (<c>docs/recipes/python</c>), each started as its documentation says.
/// </summary>
public sealed partial class ProviderProcess : IAsyncDisposable
{
    // The recipe's code is generated once per test run, exactly as the guide says, before its first start.
    private static readonly Lazy<Task> PythonCodeGenerated = new(GeneratePythonCodeAsync);

    private readonly ChildProcess _process;

    private ProviderProcess(ChildProcess process)
    {
        _process = process;
        Address = new Uri($"http://{process.ReadyMatch.Groups["authority"].Value}");
    }

    /// <summary>Where it serves gRPC (h2c).</summary>
    public Uri Address { get; }

    /// <summary>Everything it printed so far (its audit lines, say).</summary>
    public string Output => _process.Output;

    /// <summary>Starts the Node.js land registry provider and waits for its "listening on" line.</summary>
    public static async Task<ProviderProcess> StartNodeLandRegistryAsync()
    {
        var command = new ProcessCommand("node", [Repository.NodeLandRegistryProvider, "--port", "0"]) { WorkingDirectory = Repository.Root };
        return await StartAsync("node land registry provider", command, "is 'npm ci' done?");
    }

    /// <summary>
    /// Runs the Python recipe as the guide's section 4 says: <c>generate.sh</c> (once per test run), then the provider
    /// with Debian's <c>/usr/bin/python3</c>, with <paramref name="arguments"/> after <c>--port 0</c>.
    /// </summary>
    public static async Task<ProviderProcess> StartPythonUtilitiesAsync(params string[] arguments)
    {
        await PythonCodeGenerated.Value;
        var command = new ProcessCommand("/usr/bin/python3", [Path.Combine(Repository.PythonRecipe, "utilities_provider.py"), "--port", "0", .. arguments])
        {
            WorkingDirectory = Repository.Root,
        };
        return await StartAsync("python utilities provider", command, "are Debian's python3-grpcio and python3-protobuf installed (tools/setup.sh)?");
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<ProviderProcess> StartAsync(string name, ProcessCommand command, string hint)
    {
        try
        {
            return new ProviderProcess(await ChildProcess.StartAsync(name, command, ListeningLine(), TimeSpan.FromSeconds(30)));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"The {name} did not start ({hint}): {e.Message}", e);
        }
    }

    private static async Task GeneratePythonCodeAsync()
    {
        var generate = await ChildProcess.RunAsync(
            new ProcessCommand(Path.Combine(Repository.PythonRecipe, "generate.sh"), []) { WorkingDirectory = Repository.Root },
            TimeSpan.FromMinutes(1));
        if (generate.ExitCode != 0)
        {
            throw new InvalidOperationException($"docs/recipes/python/generate.sh failed ({generate.ExitCode}):\n{generate.Output}{generate.Error}");
        }
    }

    [GeneratedRegex(@"^(?:land-registry|utilities)-provider listening on (?<authority>127\.0\.0\.1:\d+)$")]
    private static partial Regex ListeningLine();
}
