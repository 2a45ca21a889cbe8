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

    /// <summary>
    /// The metadata of the console's endpoints: served on the HTTP/1.1 endpoint only, where browsers come (Hosting's
    /// endpoint separation answers 404 on the others).
    /// </summary>
    public static readonly object EndpointMetadata = new ConsoleEndpoint();

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
        ServedManifest(app) is not null && app.Environment.WebRootFileProvider.GetFileInfo("desk/index.html").Exists;

    // The endpoints manifest of the console's files, or null when the console is off or its files are not in this build.
    private static string? ServedManifest(WebApplication app)
    {
        var manifest = System.IO.Path.Combine(AppContext.BaseDirectory, EndpointsManifest);
        return app.Services.GetRequiredService<IOptions<BrowserDesksOptions>>().Value.Console && File.Exists(manifest) ? manifest : null;
    }

    /// <summary>
    /// Maps the console's files and <c>/desk/</c> (its page; <c>/desk</c> is redirected there), each answer
    /// with the console's security headers. Nothing when the console is off or its files are not in this build.
    /// </summary>
    public static WebApplication MapDeskConsole(this WebApplication app)
    {
        if (ServedManifest(app) is not { } manifest)
        {
            return app;
        }

        var index = app.Environment.WebRootFileProvider.GetFileInfo("desk/index.html");
        var page = index.Exists ? PageWithPreloads(index, manifest) : null;
        app.MapStaticAssets(manifest).Add(WithSecurityHeaders);
        // Routing matches /desk and /desk/ alike; the page's base address is /desk/, so /desk is sent there.
        app.MapGet(Path, (HttpContext context) => ServeIndex(context, page)).Add(WithSecurityHeaders);
        return app;
    }

    private static Task ServeIndex(HttpContext context, byte[]? page)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            context.Response.Redirect(Path);
            return Task.CompletedTask;
        }

        if (page is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        // The page names the current build's runtime files: always asked again, so a new deployment is picked up.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = page.Length;
        return context.Response.Body.WriteAsync(page, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// The console's page with the .NET runtime's JavaScript modules named up front (<c>modulepreload</c>, under the
    /// fingerprinted names this build gave them, read from the manifest): the browser fetches them while it runs
    /// Blazor's loader instead of after it, which shortens the first load. The page is read once, at start.
    /// </summary>
    internal static byte[] PageWithPreloads(Microsoft.Extensions.FileProviders.IFileInfo index, string manifest)
    {
        string html;
        using (var reader = new StreamReader(index.CreateReadStream()))
        {
            html = reader.ReadToEnd();
        }

        using var endpoints = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifest));
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.RootElement.GetProperty("Endpoints").EnumerateArray())
        {
            var route = endpoint.GetProperty("Route").GetString()!;
            string? label = null;
            foreach (var property in endpoint.GetProperty("EndpointProperties").EnumerateArray())
            {
                if (property.GetProperty("Name").GetString() == "label")
                {
                    label = property.GetProperty("Value").GetString();
                }
            }

            if (route != label && route.EndsWith(".js", StringComparison.Ordinal) && label is "desk/_framework/dotnet.runtime.js" or "desk/_framework/dotnet.native.js")
            {
                routes.Add(route);
            }
        }

        // dotnet.js is imported by its plain name by Blazor's loader; the others by the fingerprinted names dotnet.js holds.
        var links = string.Concat(routes.Prepend("desk/_framework/dotnet.js")
            .Select(route => $"    <link rel=\"modulepreload\" href=\"{route["desk/".Length..]}\" />\n"));
        return System.Text.Encoding.UTF8.GetBytes(html.Replace("</head>", links + "</head>", StringComparison.Ordinal));
    }

    private static void WithSecurityHeaders(EndpointBuilder endpoint)
    {
        endpoint.Metadata.Add(EndpointMetadata);
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

    private sealed class ConsoleEndpoint;
}
