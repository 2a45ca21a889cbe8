using ProviderGateway.FrontDesk;

namespace ProviderGateway.Hosting;

/// <summary>Maps the gateway's endpoints.</summary>
public static class GatewayEndpointExtensions
{
    /// <summary>Maps the front-desk service, grpc.health.v1 and server reflection, plus a plain HTTP landing page.</summary>
    public static WebApplication MapProviderGateway(this WebApplication app)
    {
        app.MapGrpcService<FrontDeskGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapGet("/", () => Results.Text(
            "ProviderGateway: the front-desk gRPC API is on the gRPC endpoint (HTTP/2); see README.md and tools/grpcurl/.\n"));
        return app;
    }
}
