using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.BrowserDesks;

/// <summary>
/// The front-desk console (src/ProviderGateway.Desk, Blazor WebAssembly) served at <c>/desk/</c>: its files are the
/// gateway's static web assets, mapped from the manifest the build writes beside the gateway
/// (<c>ProviderGateway.staticwebassets.endpoints.json</c>): fingerprinted files cached for a year, the others revalidated
/// by their ETag, every file also served gzip-compressed (and Brotli in a published gateway) when the browser accepts it.
/// The console is a desk like any other: it calls the front-desk service over gRPC-Web with the office's API key, so
/// serving its files needs no key and opens nothing (they hold no data). Off with <c>Gateway:BrowserDesks:Console=false</c>.
/// </summary>
public static class DeskConsole
{
    /// <summary>The console's address under the gateway's HTTP endpoint.</summary>
    public const string Path = "/desk/";

    // The manifests the build (or publish) writes for the gateway's assembly; found beside it, whichever process hosts it
    // (the gateway's own, or a test host whose entry assembly has another name).
    private const string EndpointsManifest = "ProviderGateway.staticwebassets.endpoints.json";
    private const string RuntimeManifest = "ProviderGateway.staticwebassets.runtime.json";

    // The console's pages run the .NET runtime as WebAssembly ('wasm-unsafe-eval') and call only their own origin; no
    // inline or evaluated script, no other site's script, style or frame. The API key in the page's session storage is
    // the prize of any script injected into it: this is what keeps one out.
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Where the console's files are read from: in a build output (<c>dotnet run</c>, the tests), the runtime manifest
    /// names the Desk project's output folders; in a published gateway they are under <c>wwwroot/desk/</c> and the
    /// manifest is absent. ASP.NET Core reads that manifest only in the Development environment by default.
    /// </summary>
    public static WebApplicationBuilder AddDeskConsole(this WebApplicationBuilder builder)
    {
        var runtimeManifest = System.IO.Path.Combine(AppContext.BaseDirectory, RuntimeManifest);
        if (builder.Configuration.GetValue($"{BrowserDesksOptions.SectionName}:Console", true) && File.Exists(runtimeManifest))
        {
            builder.WebHost.UseSetting(WebHostDefaults.StaticWebAssetsKey, runtimeManifest);
            StaticWebAssetsLoader.UseStaticWebAssets(builder.Environment, builder.Configuration);
        }

        return builder;
    }

    /// <summary>Whether this gateway serves the console (it is on, and its files are in this build).</summary>
    public static bool IsServed(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<BrowserDesksOptions>>().Value.Console
        && File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, EndpointsManifest))
        && app.Environment.WebRootFileProvider.GetFileInfo("desk/index.html").Exists;

    /// <summary>
    /// Maps the console's files and <c>/desk/</c> (its page; <c>/desk</c> is redirected there), each answer
    /// with the console's security headers. Nothing when the console is off or its files are not in this build.
    /// </summary>
    public static WebApplication MapDeskConsole(this WebApplication app)
    {
        var manifest = System.IO.Path.Combine(AppContext.BaseDirectory, EndpointsManifest);
        if (!app.Services.GetRequiredService<IOptions<BrowserDesksOptions>>().Value.Console || !File.Exists(manifest))
        {
            return app;
        }

        var index = app.Environment.WebRootFileProvider.GetFileInfo("desk/index.html");
        app.MapStaticAssets(manifest).Add(WithSecurityHeaders);
        // Routing matches /desk and /desk/ alike; the page's base address is /desk/, so /desk is sent there.
        app.MapGet(Path, (HttpContext context) => ServeIndex(context, index)).Add(WithSecurityHeaders);
        return app;
    }

    private static async Task ServeIndex(HttpContext context, Microsoft.Extensions.FileProviders.IFileInfo index)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            context.Response.Redirect(Path);
            return;
        }

        if (!index.Exists)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        // The page names the current build's fingerprinted files: always asked again, so a new deployment is picked up.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = index.Length;
        await context.Response.SendFileAsync(index, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WithSecurityHeaders(EndpointBuilder endpoint)
    {
        var serve = endpoint.RequestDelegate;
        if (serve is null)
        {
            return;
        }

        endpoint.RequestDelegate = context =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return serve(context);
        };
    }
}
