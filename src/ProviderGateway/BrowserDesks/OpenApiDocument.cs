using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi.Models;
using ProviderGateway.Core;
using ProviderGateway.Security;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProviderGateway.BrowserDesks;

/// <summary>
/// The OpenAPI document of the JSON routes, made by Microsoft.AspNetCore.Grpc.Swagger from the front-desk service's
/// descriptors and <c>google.api.http</c> rules, with the proto comments (the contracts' XML documentation) as
/// descriptions. Served unauthenticated at <see cref="Path"/>: it describes the API, never data.
/// </summary>
public static class OpenApiDocument
{
    /// <summary>The document's name.</summary>
    public const string Name = "v1";

    /// <summary>Where the document is served, on the HTTP endpoint.</summary>
    public const string Path = "/openapi/v1.json";

    /// <summary>The security scheme of the API key.</summary>
    private const string ApiKeyScheme = "apiKey";

    /// <summary>Configures Swashbuckle for the JSON routes.</summary>
    public static void Configure(SwaggerGenOptions options)
    {
        options.SwaggerDoc(Name, new OpenApiInfo
        {
            Title = "ProviderGateway front desk (JSON)",
            Version = Name,
            Description =
                "providergateway.frontdesk.v1.FrontDeskService over HTTP/1.1 with JSON (protobuf JSON mapping: lowerCamelCase " +
                "fields, enum names, 64-bit integers as strings). Calls carrying a personal identifier are POSTs with the " +
                "request as the body: identifiers never go in a URL. Errors are google.rpc.Status bodies whose details keep " +
                "their @type. Every call sends x-api-key; personal-data calls also x-operator-id and x-access-purpose.",
        });

        // Only the JSON routes of gRPC methods: not the landing page, health or this document.
        options.DocInclusionPredicate((_, api) => api.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().Any());

        // The protobuf JSON mapping writes 64-bit integers as strings (JavaScript numbers lose precision past 2^53).
        options.MapType<long>(() => new OpenApiSchema { Type = "string", Format = "int64" });
        options.MapType<ulong>(() => new OpenApiSchema { Type = "string", Format = "uint64" });

        var comments = System.IO.Path.Combine(AppContext.BaseDirectory, "ProviderGateway.Contracts.xml");
        if (File.Exists(comments))
        {
            options.IncludeXmlComments(comments);
            options.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
        }

        options.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ClientAuthentication.ApiKeyHeader,
            Description = "The client application's API key.",
        });
        options.OperationFilter<DeskHeaders>();
    }

    /// <summary>Every front-desk operation needs the API key; a personal-data one also the operator and purpose headers.</summary>
    private sealed class DeskHeaders : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var grpc = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<GrpcMethodMetadata>().FirstOrDefault();
            if (grpc is null || grpc.Method.ServiceName != FrontDeskMethods.ServiceName || FrontDeskMethods.Find(grpc.Method.Name) is not { } method)
            {
                return;
            }

            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = ApiKeyScheme } }] = [],
            });
            if (!method.PersonalData)
            {
                return;
            }

            operation.Parameters.Add(Header(CallerIdentity.OperatorHeader, "The operator at the desk: 1 to 64 of letters, digits and '.', '_', '@', '-'."));
            operation.Parameters.Add(Header(CallerIdentity.PurposeHeader, "The purpose of access, a code such as citizen-enquiry."));
        }

        private static OpenApiParameter Header(string name, string description) => new()
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = true,
            Description = description,
            Schema = new OpenApiSchema { Type = "string" },
        };
    }
}
