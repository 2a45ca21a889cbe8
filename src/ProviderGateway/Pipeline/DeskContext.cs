using Grpc.Core;

namespace ProviderGateway.Pipeline;

/// <summary>
/// What the pipeline needs to know about the desk's call, independent of the gRPC server types:
/// when the desk stops waiting, and whether it has gone.
/// </summary>
/// <param name="Deadline">The desk's deadline (UTC); <see cref="DateTime.MaxValue"/> when it set none.</param>
/// <param name="Cancellation">Cancelled when the desk cancels or disconnects.</param>
/// <param name="BypassCache">True when the desk asked for a fresh answer (metadata <c>cache-control: no-cache</c>).</param>
public readonly record struct DeskContext(DateTime Deadline, CancellationToken Cancellation, bool BypassCache = false)
{
    /// <summary>The metadata key by which a desk asks for a fresh answer.</summary>
    public const string CacheControlHeader = "cache-control";

    /// <summary>The desk context of a gRPC server call.</summary>
    public static DeskContext From(ServerCallContext context) =>
        // Read from the HTTP request directly: ServerCallContext.RequestHeaders copies every header, on every call.
        new(context.Deadline, context.CancellationToken, AsksForFreshAnswer(context.GetHttpContext().Request.Headers.CacheControl));

    // HTTP semantics: "no-cache" means "do not answer from a cache without checking with the origin".
    private static bool AsksForFreshAnswer(Microsoft.Extensions.Primitives.StringValues cacheControl)
    {
        foreach (var value in cacheControl)
        {
            foreach (var directive in (value ?? "").Split(','))
            {
                if (directive.Trim() is var d && (d.Equals("no-cache", StringComparison.OrdinalIgnoreCase) || d.Equals("max-age=0", StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
