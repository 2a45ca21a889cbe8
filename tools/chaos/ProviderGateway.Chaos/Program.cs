using ProviderGateway.Chaos;
using ProviderGateway.Chaos.Rules;

// The chaos test of the gateway (tools/chaos/run.sh [--long] [--report FILE] [--root DIR] [--workers N] [--slack-ms N] [--gateway-dir DIR]): exit 0 when every rule held,
// 1 when one was violated, 2 when the run itself could not be made.
var form = args.Contains("--long") ? "long" : "short";
var reportIndex = Array.IndexOf(args, "--report");
var reportPath = reportIndex >= 0 && reportIndex + 1 < args.Length ? args[reportIndex + 1] : null;
var rootIndex = Array.IndexOf(args, "--root");
var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
// --root DIR: the gateway, demo providers, seed and verifier of another checkout (built in the same configuration),
// to run today's rules against an older or newer gateway.
var root = rootIndex >= 0 && rootIndex + 1 < args.Length ? Path.GetFullPath(args[rootIndex + 1]) : ChaosOptions.FindRepositoryRoot(AppContext.BaseDirectory);
var options = form == "long" ? ChaosOptions.Long(root, configuration) : ChaosOptions.Short(root, configuration);
// --workers N / --slack-ms N: another load or tolerance on the same timeline (for experiments; the report says which).
var workersIndex = Array.IndexOf(args, "--workers");
if (workersIndex >= 0 && workersIndex + 1 < args.Length)
{
    options = options with { Workers = int.Parse(args[workersIndex + 1], System.Globalization.CultureInfo.InvariantCulture) };
}

// --gateway-dir DIR: the gateway as it ships (run.sh publishes it ReadyToRun there) instead of the build output.
var gatewayIndex = Array.IndexOf(args, "--gateway-dir");
if (gatewayIndex >= 0 && gatewayIndex + 1 < args.Length)
{
    options = options with { GatewayDirectory = Path.GetFullPath(args[gatewayIndex + 1]) };
}

var slackIndex = Array.IndexOf(args, "--slack-ms");
if (slackIndex >= 0 && slackIndex + 1 < args.Length)
{
    options = options with { Slack = TimeSpan.FromMilliseconds(int.Parse(args[slackIndex + 1], System.Globalization.CultureInfo.InvariantCulture)) };
}

ChaosResult result;
try
{
    result = await ChaosRun.RunAsync(options, Console.Out);
}
catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or Grpc.Core.RpcException or HttpRequestException)
{
    Console.Error.WriteLine($"The chaos run could not be made: {e}");
    return 2;
}

var report = ChaosReport.Markdown(result);
Console.WriteLine();
Console.WriteLine(report);
if (reportPath is not null)
{
    await File.WriteAllTextAsync(reportPath, report);
}

return result.Rules.All(r => r.Passed) ? 0 : 1;
