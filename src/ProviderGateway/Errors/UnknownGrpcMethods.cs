using Grpc.AspNetCore.Server;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.Errors;

/// <summary>
/// The answer to a gRPC request for a method the gateway does not serve: UNIMPLEMENTED with ErrorInfo
/// <c>METHOD_NOT_FOUND</c>, trailers-only, before anything else reads it. grpc-dotnet's own answer to such calls
/// (<c>IgnoreUnknownServices</c> off) adds a catch-all route per service and one for every service, and routing then
/// made their captures (a route-value dictionary and strings) on <em>every</em> call of the served methods as well; with
/// those routes gone, a gRPC request that routing matched to no gRPC method arrives here: to no endpoint at all, or to
/// an endpoint that is not a gRPC method (a GET-only page, whose path routing answers with its 405 endpoint).
/// </summary>
public static class UnknownGrpcMethods
{
    /// <summary>Adds the answer (after routing; a request routed to a gRPC method, or not gRPC, passes untouched).</summary>
    public static IApplicationBuilder UseUnknownGrpcMethods(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (!IsGrpc(context.Request.ContentType) || context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null)
            {
                return next(context);
            }

            var languages = context.RequestServices.GetService<ICallLanguages>();
            TrailersOnly.Set(context.Response, languages is null ? NotFound : StatusLocalization.Localized(NotFound, languages.TargetOf(context)));
            return Task.CompletedTask;
        });

    // The one answer: the path is the caller's, and is not repeated back.
    private static readonly Google.Rpc.Status NotFound = new()
    {
        Code = (int)StatusCode.Unimplemented,
        Message = "The gateway serves no gRPC method at this path. Its services are listed by server reflection (tools/grpcurl/list-services.sh).",
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.MethodNotFound)) },
    };

    // application/grpc, application/grpc+proto, application/grpc-web, application/grpc-web-text …
    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
