using System.Globalization;
using Google.Protobuf;

namespace ProviderGateway.Errors;

/// <summary>
/// A gRPC status answered "trailers-only" from ASP.NET Core middleware, before any gRPC code runs: HTTP 200 whose
/// headers carry <c>grpc-status</c>, <c>grpc-message</c> (percent-encoded) and <c>grpc-status-details-bin</c>.
/// </summary>
public static class TrailersOnly
{
    /// <summary>Sets <paramref name="status"/> as the response's headers; the response must not have started.</summary>
    public static void Set(HttpResponse response, Google.Rpc.Status status)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
    }
}
