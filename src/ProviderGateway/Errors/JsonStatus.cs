using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace ProviderGateway.Errors;

/// <summary>
/// A <c>google.rpc.Status</c> as a JSON call (gRPC JSON transcoding) receives it: the HTTP status JSON transcoding
/// maps the gRPC code to, and the status as a protobuf JSON body whose <c>details</c> keep their <c>@type</c>.
/// </summary>
public static class JsonStatus
{
    /// <summary>The content type of JSON answers.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>
    /// The types a status's <c>details</c> (an <c>Any</c> each) may hold: every <c>google.rpc</c> error detail
    /// (BadRequest, ErrorInfo, ResourceInfo, RetryInfo, PreconditionFailure …). Writing an <c>Any</c> as JSON needs its
    /// type's descriptor: without this registry JSON transcoding fails on the first error with details.
    /// </summary>
    public static TypeRegistry DetailTypes { get; } = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);

    // As JSON transcoding writes its own: compact, and only what JSON requires escaped (the body is JSON, never HTML).
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(DetailTypes).WithFormatDefaultValues(true));

    /// <summary>Whether the call is a JSON call: its endpoint is a JSON transcoding route of a gRPC method.</summary>
    public static bool IsJsonCall(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;

    /// <summary>The status as protobuf JSON, details with their <c>@type</c>, written compactly as JSON transcoding writes.</summary>
    public static string Format(Google.Rpc.Status status)
    {
        using var json = JsonDocument.Parse(Formatter.Format(status));
        return JsonSerializer.Serialize(json.RootElement, Compact);
    }

    /// <summary>
    /// The HTTP status of a gRPC code, as JSON transcoding maps it (its own table, so that a status the gateway writes
    /// itself and one JSON transcoding writes never differ).
    /// </summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => StatusCodes.Status408RequestTimeout,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Answers with <paramref name="status"/> as JSON; the response must not have started.</summary>
    public static Task WriteAsync(HttpResponse response, Google.Rpc.Status status)
    {
        response.StatusCode = HttpStatusOf((StatusCode)status.Code);
        response.ContentType = ContentType;
        return response.WriteAsync(Format(status));
    }
}
