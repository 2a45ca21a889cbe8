using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ProviderGateway.DemoProviders;

/// <summary>The front door of a demo provider that authenticates its callers (by API key, by bearer token).</summary>
internal static class DemoCallerCheck
{
    /// <summary>
    /// Adds middleware that refuses every gRPC call (health and reflection included) for which <paramref name="presented"/>
    /// is false: UNAUTHENTICATED with <paramref name="message"/>, trailers-only, before any service runs; <paramref name="refused"/>
    /// hears of each refusal. Other requests (the control endpoints) pass.
    /// </summary>
    public static void Require(WebApplication app, Func<HttpContext, bool> presented, Action<HttpContext> refused, string message, string? wwwAuthenticate = null) =>
        app.Use((context, next) =>
        {
            if (!(context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false) || presented(context))
            {
                return next(context);
            }

            refused(context);
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "16";
            context.Response.Headers["grpc-message"] = message;
            if (wwwAuthenticate is not null)
            {
                context.Response.Headers.WWWAuthenticate = wwwAuthenticate;
            }

            return Task.CompletedTask;
        });
}
