using Grpc.Core;

namespace ProviderGateway.Pipeline;

/// <summary>
/// What the pipeline needs to know about the desk's call, independent of the gRPC server types:
/// when the desk stops waiting, and whether it has gone.
/// </summary>
/// <param name="Deadline">The desk's deadline (UTC); <see cref="DateTime.MaxValue"/> when it set none.</param>
/// <param name="Cancellation">Cancelled when the desk cancels or disconnects.</param>
public readonly record struct DeskContext(DateTime Deadline, CancellationToken Cancellation)
{
    /// <summary>The desk context of a gRPC server call.</summary>
    public static DeskContext From(ServerCallContext context) => new(context.Deadline, context.CancellationToken);
}
