using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http.Features;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.Errors;

/// <summary>
/// Gives the statuses grpc-dotnet writes by itself, before any gateway code runs, the gateway's precision: a
/// request that is not a well-formed protobuf message (UNKNOWN "Exception was thrown by handler."), a truncated
/// or wrongly compressed frame (INTERNAL) becomes INVALID_ARGUMENT with a BadRequest and ErrorInfo
/// <c>MALFORMED_REQUEST</c>; an oversized one keeps RESOURCE_EXHAUSTED and gains ErrorInfo <c>REQUEST_TOO_LARGE</c>.
/// Only front-desk calls answered "trailers-only" without details are touched: every status of the gateway's own
/// code carries details, so none of them is rewritten. Costs nothing on answered calls.
/// JSON calls (JSON transcoding) get the same: a body that is not well-formed JSON of the method's request, which
/// JSON transcoding answers with a bare INVALID_ARGUMENT, gains the BadRequest and ErrorInfo <c>MALFORMED_REQUEST</c>;
/// a body above <c>MaxRequestBytes</c> is refused RESOURCE_EXHAUSTED (<c>REQUEST_TOO_LARGE</c>) as soon as its
/// length is known; an UNKNOWN becomes INTERNAL (<c>GATEWAY_INTERNAL_ERROR</c>). Their answers pass through; only an
/// error body is held back until complete. Which requests are front-desk calls, and how a refusal is journaled and
/// counted, is <see cref="IFrameworkRefusals"/>'s (the gateway's classification); the size limit is given by Hosting.
/// </summary>
public static class FrameworkStatusMiddleware
{
    private static readonly JsonParser StatusParser = new(JsonParser.Settings.Default.WithTypeRegistry(JsonStatus.DetailTypes).WithIgnoreUnknownFields(true));

    /// <summary>Adds the middleware (before the gRPC endpoints).</summary>
    /// <param name="app">The application.</param>
    /// <param name="maxRequestBytes">The largest request body accepted (<c>Gateway:Security:MaxRequestBytes</c>).</param>
    public static IApplicationBuilder UseFrameworkStatusDetails(this IApplicationBuilder app, long maxRequestBytes)
    {
        var refusals = app.ApplicationServices.GetRequiredService<IFrameworkRefusals>();
        var languages = app.ApplicationServices.GetRequiredService<ICallLanguages>();
        // Made once: every gRPC call registers it, with the call's HttpContext as its state (nothing allocated per call).
        Func<object, Task> rewrite = state => Rewrite((HttpContext)state, refusals, languages);
        return app.Use(async (context, next) =>
        {
            var call = refusals.Classify(context);
            if (call is { IsJson: false })
            {
                context.Response.OnStarting(rewrite, context);
                await next(context).ConfigureAwait(false);
            }
            else if (call is { IsJson: true })
            {
                await WithJsonDetailsAsync(context, call.Value.Method, maxRequestBytes, refusals, languages, next).ConfigureAwait(false);
            }
            else
            {
                await next(context).ConfigureAwait(false);
            }
        });
    }

    private static Task Rewrite(HttpContext context, IFrameworkRefusals refusals, ICallLanguages languages)
    {
        // Trailers-only: no message was written, the status is in the headers. An answer of the service carries details
        // and was journaled and counted by its interceptors; what grpc-dotnet refused before the service was neither.
        var headers = context.Response.Headers;
        if (!int.TryParse(headers["grpc-status"], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Task.CompletedTask;
        }

        var refusal = (StatusCode)code;
        if (!headers.ContainsKey("grpc-status-details-bin"))
        {
            var method = refusals.Classify(context)?.Method ?? "";
            var frameworkMessage = Uri.UnescapeDataString(headers["grpc-message"].ToString());
            Google.Rpc.Status? status = refusal switch
            {
                // A request its client reset before grpc-dotnet had read it whole ("Incomplete message") was abandoned, not malformed.
                StatusCode.Unknown or StatusCode.Internal when context.RequestAborted.IsCancellationRequested => AbandonedByClient(),
                StatusCode.Unknown or StatusCode.Internal => Malformed(method, frameworkMessage),
                StatusCode.ResourceExhausted => TooLarge(frameworkMessage),
                _ => null,
            };
            if (status is not null)
            {
                TrailersOnly.Set(context.Response, status);
                refusal = (StatusCode)status.Code;
            }
        }

        if (refusal == StatusCode.OK)
        {
            return Task.CompletedTask;
        }

        // Every error, the service's and the framework's: its message for people in the call's language.
        Localize(context.Response.Headers, languages.TargetOf(context));

        // Refused by grpc-dotnet before the service: journaled and counted here, once the call is over, with one status for
        // both. A request stream cut off (the desk reset the call or dropped its connection) fails the same way as a
        // malformed message, and the abort may only be signalled after this: nobody read the answer, so it is CANCELLED.
        var record = refusals.Refused(context);
        context.Response.OnCompleted(() =>
        {
            var cutOff = context.RequestAborted.IsCancellationRequested
                || context.Features.Get<IConnectionLifetimeFeature>()?.ConnectionClosed.IsCancellationRequested == true;
            record(cutOff ? StatusCode.Cancelled : refusal);
            return Task.CompletedTask;
        });

        return Task.CompletedTask;
    }

    // The trailers-only status's details gain their messages for people (StatusLocalization); a status without details,
    // or one that does not decode, is left as it is.
    private static void Localize(IHeaderDictionary headers, StatusLocalization.Target target)
    {
        var encoded = headers["grpc-status-details-bin"].ToString();
        if (encoded.Length == 0)
        {
            return;
        }

        Google.Rpc.Status status;
        try
        {
            // Binary metadata may come without its base64 padding.
            status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            return;
        }
        catch (InvalidProtocolBufferException)
        {
            return;
        }

        var localized = StatusLocalization.Localized(status, target);
        if (!ReferenceEquals(localized, status))
        {
            headers["grpc-status-details-bin"] = Convert.ToBase64String(localized.ToByteArray());
        }
    }

    private static async Task WithJsonDetailsAsync(
        HttpContext context, string method, long maxRequestBytes, IFrameworkRefusals refusals, ICallLanguages languages, RequestDelegate next)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxRequestBytes;
        }

        // JSON transcoding writes a unary call's answer or error to Response.Body, so a stream in its place sees both.
        var response = context.Response;
        var body = response.Body;
        var capture = new ErrorBodyCapture(response, body);
        response.Body = capture;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            response.Body = body;
        }

        if (capture.HeldBack is not { } heldBack)
        {
            return;
        }

        var status = TryParse(heldBack);
        // The gateway's own status (with details): its messages for people added, in the call's language; written as it
        // came when there is nothing to add (or it is not a status this reads).
        var localized = status is { Details.Count: > 0 } ? StatusLocalization.Localized(status, languages.TargetOf(context)) : status;
        if (status is null || (status.Details.Count > 0 && ReferenceEquals(localized, status)))
        {
            heldBack.Position = 0;
            await heldBack.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (status.Details.Count > 0)
        {
            await JsonStatus.WriteAsync(response, localized!).ConfigureAwait(false);
            return;
        }

        var detailed = (StatusCode)status.Code switch
        {
            StatusCode.InvalidArgument when context.Request.ContentLength > maxRequestBytes => TooLarge($"{context.Request.ContentLength} bytes; at most {maxRequestBytes}"),
            StatusCode.InvalidArgument => Malformed($"The request is not a well-formed JSON {method} request: {status.Message}"),
            StatusCode.Unknown or StatusCode.Internal => GatewayErrors.Internal(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier).GetRpcStatus()!,
            _ => status,
        };
        if ((StatusCode)status.Code == StatusCode.InvalidArgument)
        {
            // Refused before the service (a body that is not the method's JSON, or too large): counted here, not by
            // the front-desk call guard; and journaled, the service never having seen it.
            refusals.Refused(context)((StatusCode)detailed.Code);
        }

        await JsonStatus.WriteAsync(response, StatusLocalization.Localized(detailed, languages.TargetOf(context))).ConfigureAwait(false);
    }

    private static Google.Rpc.Status? TryParse(MemoryStream body)
    {
        try
        {
            return StatusParser.Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        catch (InvalidJsonException)
        {
            return null;
        }
    }

    private static Google.Rpc.Status TooLarge(string frameworkMessage) => new()
    {
        Code = (int)StatusCode.ResourceExhausted,
        Message = $"The request is larger than the gateway accepts ({frameworkMessage})",
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.RequestTooLarge)) },
    };

    private static Google.Rpc.Status AbandonedByClient() => new()
    {
        Code = (int)StatusCode.Cancelled,
        Message = "The client cancelled the call before its request was read.",
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.CancelledByCaller)) },
    };

    private static Google.Rpc.Status Malformed(string method, string frameworkMessage) =>
        Malformed(frameworkMessage.Contains("handler", StringComparison.Ordinal)
            ? $"The request is not a well-formed protobuf {method} request message."
            : $"The request's gRPC framing is invalid: {frameworkMessage}");

    /// <summary>INVALID_ARGUMENT with a BadRequest and ErrorInfo <c>MALFORMED_REQUEST</c>: the request is not a well-formed message of its method.</summary>
    internal static Google.Rpc.Status Malformed(string description) => new()
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

/// <summary>
/// What <see cref="FrameworkStatusMiddleware"/> needs of the gateway: which requests are front-desk calls, and how a
/// call refused before its service ran is journaled and counted. Implemented by the gateway's request classification.
/// </summary>
public interface IFrameworkRefusals
{
    /// <summary>The method and protocol of a front-desk request; <c>null</c> for any other request.</summary>
    (string Method, bool IsJson)? Classify(HttpContext context);

    /// <summary>
    /// Called as the framework's refusal of a front-desk call is written: claims the call's one count, so nothing else
    /// counts it; returns what records its final status (journal and metric, once) when the call is over.
    /// </summary>
    Action<StatusCode> Refused(HttpContext context);
}
