using System.Text.Json;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>What a script printed and how it ended.</summary>
public sealed record ScriptResult(int ExitCode, string Output, string Error)
{
    /// <summary>The output parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    /// <summary>The messages of a streamed call, one JSON object each, in the order printed.</summary>
    public IReadOnlyList<JsonElement> JsonMessages
    {
        get
        {
            var messages = new List<JsonElement>();
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(Output), new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                messages.Add(JsonDocument.ParseValue(ref reader).RootElement);
            }

            return messages;
        }
    }
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
        var scriptEnvironment = new Dictionary<string, string>
        {
            ["GATEWAY_ADDR"] = gatewayAuthority,
            ["GRPC_CLIENT"] = "buf",
            ["BUF"] = Repository.Buf,
        };
        foreach (var (name, value) in environment)
        {
            scriptEnvironment[name] = value;
        }

        var command = new ProcessCommand("bash", [Path.Combine(Repository.GrpcurlScripts, script), .. arguments])
        {
            WorkingDirectory = Repository.Root,
            Environment = scriptEnvironment,
        };
        return await RunAsync(command, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs a program to its end (at most <paramref name="timeout"/>) and returns what it printed.</summary>
    public static async Task<ScriptResult> RunAsync(ProcessCommand command, TimeSpan timeout)
    {
        var result = await ChildProcess.RunAsync(command, timeout);
        return new ScriptResult(result.ExitCode, result.Output, result.Error);
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in the repository root.</summary>
    public static Task<ScriptResult> RunProgramAsync(string program, params string[] arguments) =>
        RunAsync(new ProcessCommand(program, arguments) { WorkingDirectory = Repository.Root }, TimeSpan.FromMinutes(2));
}
