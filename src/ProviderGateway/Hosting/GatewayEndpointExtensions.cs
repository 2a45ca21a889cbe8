using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProviderGateway.BrowserDesks;
using ProviderGateway.Errors;
using ProviderGateway.FrontDesk;
using ProviderGateway.Security;

namespace ProviderGateway.Hosting;

/// <summary>Maps the gateway's endpoints.</summary>
public static class GatewayEndpointExtensions
{
    /// <summary>Maps the front-desk service, grpc.health.v1 and server reflection, plus a plain HTTP landing page.</summary>
    public static WebApplication MapProviderGateway(this WebApplication app)
    {
        app.MapBrowserDesks();
        // Statuses grpc-dotnet writes itself gain details; unauthenticated front-desk calls are refused unread;
        // the rate limiter then counts each call against its client.
        app.UseFrameworkStatusDetails();
        app.UseClientAuthentication();
        app.UseRateLimiter();
        app.MapGrpcService<FrontDeskGrpcService>().RequireRateLimiting(ClientRateLimiting.PolicyName);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        // Every check with its status, for operators: Redis shows as Degraded while unreachable.
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteHealthReportAsync,
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
        });
        app.MapGet("/", () => Results.Text(
            "ProviderGateway: the front-desk gRPC API is on the gRPC endpoint (HTTP/2); see README.md and tools/grpcurl/.\n"));
        return app;
    }

    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
