using System.Text.Json;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>The gateway process's console log: structured JSON, one object per line, with the trace id of the call.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task The_console_log_is_JSON_lines_carrying_the_trace_id_of_each_call_and_levels_are_configurable()
    {
        await using var gateway = await GatewayProcess.StartAsync("--Logging:LogLevel:ProviderGateway.Pipeline=Debug");

        var overview = await ScriptRunner.RunAsync(gateway.GrpcAuthority, "overview.sh");
        Assert.True(overview.ExitCode == 0, overview.Error);

        // Debug lines of the pipeline (enabled above) name each provider answered, within the call's trace.
        var answered = gateway.LogEntries
            .Where(e => e.GetProperty("Category").GetString() == "ProviderGateway.Pipeline.ProviderCallPipeline" && e.GetProperty("LogLevel").GetString() == "Debug")
            .ToList();
        Assert.NotEmpty(answered);
        var traceIds = answered.Select(TraceIdOf).Distinct().ToList();
        var traceId = Assert.Single(traceIds); // one overview, one trace
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.All(gateway.LogEntries, e => Assert.True(e.TryGetProperty("Timestamp", out _)));
    }

    private static string? TraceIdOf(JsonElement entry) =>
        entry.GetProperty("Scopes").EnumerateArray()
            .Select(scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out var id) ? id.GetString() : null)
            .FirstOrDefault(id => id is not null);
}
