using Microsoft.Extensions.Options;
using ProviderGateway.BrowserDesks;
using ProviderGateway.Configuration;
using ProviderGateway.Errors;
using ProviderGateway.FrontDesk;
using ProviderGateway.Pipeline;
using ProviderGateway.Security;

namespace ProviderGateway.Hosting;

/// <summary>Maps the gateway's endpoints.</summary>
public static class GatewayEndpointExtensions
{
    // The key UseAuthentication sets, and WebApplication checks before adding the middleware itself (ASP.NET Core's
    // WebApplicationBuilder; a test fails if a later version adds the middleware anyway).
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>Maps the front-desk service and server reflection, the operations endpoints (health, metrics; on the management endpoint), and a plain HTTP landing page.</summary>
    public static WebApplication MapProviderGateway(this WebApplication app)
    {
        // First: each request's arrival, where the desk's deadline starts; then routing (explicitly here, so that the
        // arrival is taken before it: a cold process builds its route matcher on the first requests).
        app.UseDeskCallArrival();
        app.UseRouting();
        // No ASP.NET Core authentication middleware: WebApplication adds one to every pipeline when authentication services
        // exist (they do, for the client-certificate handler), unless the application says it added its own. It would run
        // on every request for nothing: ClientAuthentication authenticates front-desk calls and calls the certificate
        // handler itself, only when a certificate was presented; the middleware resolved a scoped handler provider and made
        // the request's service scope on every call (about 430 bytes and 5% of a cached answer's CPU, with routing).
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        // Then: the management endpoint serves health and metrics only, the desks' endpoints never serve them.
        app.UseManagementEndpointSeparation();
        app.MapBrowserDesks();
        // Each request is classified once, from the endpoint routing dispatched it to (FrontDeskCalls); then statuses
        // grpc-dotnet writes itself gain details; unauthenticated front-desk calls are refused unread, and each authenticated
        // one counts against its client's rate limit; a front-desk method named in any spelling but its exact path is refused.
        app.UseFrontDeskCallClassification();
        app.UseFrameworkStatusDetails(app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxRequestBytes);
        app.UseClientAuthentication();
        app.UseCanonicalFrontDeskPaths();
        // A gRPC request routing matched to no endpoint: UNIMPLEMENTED (METHOD_NOT_FOUND), the front-desk spellings above aside.
        app.UseUnknownGrpcMethods();
        app.MapGrpcService<FrontDeskGrpcService>().WithFrontDeskCatalogue();
        app.MapGrpcReflectionService();
        app.MapGatewayOperations();
        app.MapGet("/", () => Results.Text(
            "ProviderGateway: the front-desk gRPC API is on the gRPC endpoint (HTTP/2); see README.md and tools/grpcurl/.\n"));

        // Built now rather than on the first request: the services' methods bound, their routes made (a mistake in them
        // fails the start, not a desk's call).
        foreach (var source in ((IEndpointRouteBuilder)app).DataSources)
        {
            _ = source.Endpoints.Count;
        }

        return app;
    }
}
