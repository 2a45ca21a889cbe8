using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProviderGateway.DemoProviders.Logging;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// Plain HTTP endpoints, on the provider's own h2c listener, through which tests steer a demo provider
/// running in another process: <c>GET /demo/calls</c>, <c>GET /demo/writes</c>, <c>GET /demo/faults</c> and <c>PUT /demo/faults</c>.
/// </summary>
internal static class DemoControlEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A misspelt fault ("latency" for "latencyMs") must be refused, not silently ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Plain quotes in error messages: the reader is a person with curl as often as a test.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void MapDemoControlEndpoints(
        this IEndpointRouteBuilder endpoints, DemoSeedProvider provider, DemoCallCounter calls, DemoWriteLedger writes, DemoFaults faults)
    {
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoControlEndpoints));

        endpoints.MapGet("/demo/calls", () => Results.Json(new DemoCallsReport(calls.Total, calls.Snapshot(), calls.LastTraceParent), Json));

        endpoints.MapGet("/demo/writes", () => Results.Json(new DemoWritesReport(writes.TotalReceived, writes.TotalApplied, writes.Snapshot()), Json));

        endpoints.MapGet("/demo/faults", () => Results.Json(DemoFaultSettings.From(faults), Json));

        endpoints.MapPut("/demo/faults", async (HttpContext http) =>
        {
            DemoFaultSettings? update;
            try
            {
                update = await JsonSerializer.DeserializeAsync<DemoFaultSettings>(http.Request.Body, Json, http.RequestAborted);
            }
            catch (JsonException e)
            {
                return Problems($"The body must be a JSON object such as {{\"latencyMs\":200,\"errorRate\":0.3,\"errorCode\":\"Unavailable\",\"hang\":false,\"down\":false,\"loseWriteAnswers\":false}}: {e.Message}");
            }

            var problems = update?.Validate() ?? ["The body must be a JSON object, not null."];
            if (problems.Count > 0)
            {
                return Problems([.. problems]);
            }

            update!.ApplyTo(faults);
            DemoProviderLog.FaultsChanged(
                logger, provider.Id, faults.Latency.TotalMilliseconds, faults.ErrorRate, faults.ErrorCode, faults.Hang, faults.Down, faults.LoseWriteAnswers);
            return Results.Json(DemoFaultSettings.From(faults), Json);
        });
    }

    private static IResult Problems(params string[] errors) =>
        Results.Json(new { errors }, Json, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body of <c>GET /demo/calls</c>: <c>{"total":3,"methods":{"ListAccounts":2,"GetAccountBalance":1}}</c>.</summary>
    private sealed record DemoCallsReport(long Total, IReadOnlyDictionary<string, long> Methods, string? LastTraceParent);

    /// <summary>
    /// The body of <c>GET /demo/writes</c>:
    /// <c>{"totalReceived":2,"totalApplied":1,"requests":{"3f2a…":{"received":2,"applied":1}}}</c>, request_ids in lower case.
    /// </summary>
    private sealed record DemoWritesReport(long TotalReceived, long TotalApplied, IReadOnlyDictionary<string, DemoWriteCount> Requests);
}
