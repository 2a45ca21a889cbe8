namespace ProviderGateway.Hosting;

/// <summary>
/// Keeps the management endpoint (<c>Kestrel:Endpoints:Management</c>) and the desks' endpoints apart: the endpoints
/// marked <see cref="OnManagementEndpoint{TBuilder}"/> (health, readiness, metrics) are served only on the management
/// port, everything else (the desk API over gRPC, gRPC-Web and JSON, reflection, OpenAPI) only off it, the front-desk
/// console's files only on the HTTP/1.1 endpoint; the rest is 404.
/// </summary>
/// <remarks>
/// Decided from the port the connection arrived on and from the endpoint routing selected, never from the Host header
/// or the path's spelling, which the caller writes.
/// </remarks>
public static class ManagementEndpoint
{
    /// <summary>Marks an endpoint as served on the management endpoint only.</summary>
    public static TBuilder OnManagementEndpoint<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ManagementOnly.Instance);

    /// <summary>Answers 404 to a request on the wrong side of the management/desk divide.</summary>
    public static IApplicationBuilder UseManagementEndpointSeparation(this WebApplication app)
    {
        var listeners = app.Services.GetRequiredService<GatewayListeners>();
        // Routing runs first (WebApplication adds UseRouting ahead of this), so the endpoint is known here.
        return app.Use((context, next) =>
        {
            var onManagementPort = context.Connection.LocalPort == listeners.ManagementPort;
            var endpoint = context.GetEndpoint();
            var managementEndpoint = endpoint?.Metadata.GetMetadata<ManagementOnly>() is not null;
            // The front-desk console's files: on the HTTP/1.1 endpoint only (browsers do not speak h2c to the gRPC one).
            var consoleElsewhere = endpoint is not null && endpoint.Metadata.Contains(BrowserDesks.DeskConsole.EndpointMetadata)
                && context.Connection.LocalPort != listeners.HttpPort;
            if (onManagementPort == managementEndpoint && !consoleElsewhere)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private sealed class ManagementOnly
    {
        public static readonly ManagementOnly Instance = new();
    }
}
