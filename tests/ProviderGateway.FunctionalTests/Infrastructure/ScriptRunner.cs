using System.Diagnostics;
using System.Text.Json;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>What a script printed and how it ended.</summary>
public sealed record ScriptResult(int ExitCode, string Output, string Error)
{
    /// <summary>The output parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;
}

/// <summary>Runs a script of tools/grpcurl/ through buf curl (no grpcurl in CI) against a gateway, or any program.</summary>
public static class ScriptRunner
{
    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>.</summary>
    public static async Task<ScriptResult> RunAsync(string gatewayAuthority, string script, params string[] arguments) =>
        await RunAsync(gatewayAuthority, new Dictionary<string, string>(), script, arguments);

    /// <summary>Runs <paramref name="script"/> with extra environment variables.</summary>
    public static async Task<ScriptResult> RunAsync(string gatewayAuthority, IReadOnlyDictionary<string, string> environment, string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        start.ArgumentList.Add(Path.Combine(Repository.GrpcurlScripts, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GATEWAY_ADDR"] = gatewayAuthority;
        start.Environment["GRPC_CLIENT"] = "buf";
        start.Environment["BUF"] = Repository.Buf;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await RunAsync(start, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs a program to its end (at most <paramref name="timeout"/>) and returns what it printed.</summary>
    public static async Task<ScriptResult> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return new ScriptResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in the repository root.</summary>
    public static Task<ScriptResult> RunProgramAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Repository.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return RunAsync(start, TimeSpan.FromMinutes(2));
    }
}
