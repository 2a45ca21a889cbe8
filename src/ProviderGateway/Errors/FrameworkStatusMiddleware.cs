using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Security;

namespace ProviderGateway.Errors;

/// <summary>
/// Gives the statuses grpc-dotnet writes by itself, before any gateway code runs, the gateway's precision: a
/// request that is not a well-formed protobuf message (UNKNOWN "Exception was thrown by handler."), a truncated
/// or wrongly compressed frame (INTERNAL) becomes INVALID_ARGUMENT with a BadRequest and ErrorInfo
/// <c>MALFORMED_REQUEST</c>; an oversized one keeps RESOURCE_EXHAUSTED and gains ErrorInfo <c>REQUEST_TOO_LARGE</c>.
/// Only front-desk calls answered "trailers-only" without details are touched: every status of the gateway's own
/// code carries details, so none of them is rewritten. Costs nothing on answered calls.
/// </summary>
public static class FrameworkStatusMiddleware
{
    /// <summary>Adds the middleware (before the gRPC endpoints).</summary>
    public static IApplicationBuilder UseFrameworkStatusDetails(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(FrontDeskMethods.ServicePath, StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.OnStarting(static state => Rewrite((HttpContext)state), context);
            await next(context).ConfigureAwait(false);
        });

    private static Task Rewrite(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (headers.ContainsKey("grpc-status-details-bin") || !int.TryParse(headers["grpc-status"], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Task.CompletedTask;
        }

        var path = context.Request.Path.Value ?? "";
        var method = path.Length > FrontDeskMethods.ServicePath.Length + 1 ? path[(FrontDeskMethods.ServicePath.Length + 1)..] : "front-desk";
        var frameworkMessage = Uri.UnescapeDataString(headers["grpc-message"].ToString());
        Google.Rpc.Status? status = (StatusCode)code switch
        {
            StatusCode.Unknown or StatusCode.Internal => Malformed(method, frameworkMessage),
            StatusCode.ResourceExhausted => new Google.Rpc.Status
            {
                Code = code,
                Message = $"The request is larger than the gateway accepts ({frameworkMessage})",
                Details = { Google.Protobuf.WellKnownTypes.Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.RequestTooLarge)) },
            },
            _ => null,
        };
        if (status is not null)
        {
            TrailersOnly.Set(context.Response, status);
        }

        return Task.CompletedTask;
    }

    private static Google.Rpc.Status Malformed(string method, string frameworkMessage)
    {
        var description = frameworkMessage.Contains("handler", StringComparison.Ordinal)
            ? $"The request is not a well-formed protobuf {method} request message."
            : $"The request's gRPC framing is invalid: {frameworkMessage}";
        return new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = description,
            Details =
            {
                Google.Protobuf.WellKnownTypes.Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = "", Description = description, Reason = ErrorReasons.MalformedRequest } },
                }),
                Google.Protobuf.WellKnownTypes.Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.MalformedRequest)),
            },
        };
    }
}
