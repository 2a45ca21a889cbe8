using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Errors;

namespace ProviderGateway.BrowserDesks;

/// <summary>
/// Browser desks: the front-desk service as JSON (gRPC JSON transcoding of its <c>google.api.http</c> routes) and as
/// gRPC-Web, over the HTTP/1.1 endpoint, with CORS for the configured origins and an OpenAPI document. Both reach the
/// same gRPC methods, interceptors and middleware as native gRPC: authentication, rate limit, access control and the
/// journal apply unchanged. And the front-desk console, a browser desk of our own, at <c>/desk/</c> (<see cref="DeskConsole"/>).
/// </summary>
public static class BrowserDeskHosting
{
    /// <summary>Adds JSON transcoding, the CORS policy and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddBrowserDesks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<BrowserDesksOptions>, BrowserDesksOptionsValidator>();
        services.AddOptions<BrowserDesksOptions>().BindConfiguration(BrowserDesksOptions.SectionName).ValidateOnStart();

        services.AddGrpc().AddJsonTranscoding(ConfigureJson);
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<BrowserDesksOptions>>((cors, desks) => BrowserDeskCors.AddPolicy(cors, desks.Value));
        services.AddGrpcSwagger();
        services.AddSwaggerGen(OpenApiDocument.Configure);
        return builder.AddDeskConsole();
    }

    /// <summary>
    /// Adds CORS and gRPC-Web ahead of the gateway's own middleware (a CORS preflight carries no API key; gRPC-Web's
    /// middleware must see the trailers-only refusals of authentication and rate limit to translate them), and maps the
    /// OpenAPI document.
    /// </summary>
    public static WebApplication MapBrowserDesks(this WebApplication app)
    {
        app.UseCors(BrowserDeskCors.PolicyName);
        // Every gRPC service answers gRPC-Web (application/grpc-web and application/grpc-web-text) over HTTP/1.1.
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapSwagger(OpenApiDocument.Path.Replace(OpenApiDocument.Name, "{documentName}", StringComparison.Ordinal));
        return app.MapDeskConsole();
    }

    /// <summary>
    /// The protobuf JSON mapping, set explicitly: field names are the lowerCamelCase JSON names (JSON transcoding always
    /// writes those and reads both spellings), enums by name, 64-bit integers as strings, default values written.
    /// </summary>
    private static void ConfigureJson(GrpcJsonTranscodingOptions options)
    {
        // Statuses' details (and each source's status in an answer) are Anys of google.rpc error details.
        options.TypeRegistry = JsonStatus.DetailTypes;
        options.JsonSettings = new GrpcJsonSettings
        {
            // JavaScript numbers lose precision past 2^53: money in tiyn, meter readings and counters are strings.
            WriteInt64sAsStrings = true,
            WriteEnumsAsIntegers = false,
            RemoveEnumPrefix = false,
            // Every field, its default included: a desk never has to tell a missing field from 0, false or "".
            IgnoreDefaultValues = false,
            WriteIndented = false,
        };
    }
}
