namespace ProviderGateway.Chaos;

/// <summary>The size of a chaos run.</summary>
/// <param name="Form">short or long.</param>
/// <param name="Workers">Desk workers calling at once.</param>
/// <param name="Scale">Seconds of the timeline per unit (the short form's timeline is about 36 units).</param>
/// <param name="Slack">How much later than the desk's deadline an answer may come before it counts as late.</param>
/// <param name="DeskDeadline">The deadline each call sends as grpc-timeout.</param>
/// <param name="DeskWait">How long the desk itself waits for an answer (longer, so a late answer is seen late).</param>
/// <param name="RepositoryRoot">Where ProviderGateway.sln is.</param>
/// <param name="Configuration">The build configuration whose gateway and demo providers are started.</param>
public sealed record ChaosOptions(
    string Form, int Workers, double Scale, TimeSpan Slack, TimeSpan DeskDeadline, TimeSpan DeskWait, string RepositoryRoot, string Configuration)
{
    /// <summary>
    /// The folder of the gateway to start (<c>ProviderGateway.dll</c>): <c>null</c> for the build output of
    /// <see cref="Configuration"/>; run.sh passes the gateway as it ships, published ReadyToRun.
    /// </summary>
    public string? GatewayDirectory { get; init; }

    /// <summary>About 40 s: 8 workers, 250 ms of slack (for CI and the functional tests on two shared cores).</summary>
    public static ChaosOptions Short(string repositoryRoot, string configuration) =>
        new("short", 8, 1.0, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), repositoryRoot, configuration);

    /// <summary>About 3 minutes: 32 workers, 100 ms of slack.</summary>
    public static ChaosOptions Long(string repositoryRoot, string configuration) =>
        new("long", 32, 4.5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), repositoryRoot, configuration);

    /// <summary>The repository root above <paramref name="directory"/> (where ProviderGateway.sln is).</summary>
    public static string FindRepositoryRoot(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ProviderGateway.sln above {directory}.");
    }
}
