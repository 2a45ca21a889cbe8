using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;

namespace ProviderGateway.Bench;

/// <summary>One configuration under load: where the requests go and which processes serve them.</summary>
/// <param name="Name">Short name, for tables.</param>
/// <param name="Description">What is measured.</param>
/// <param name="Server">The gRPC address the load goes to.</param>
/// <param name="FullMethod">The method, <c>package.Service/Method</c>.</param>
/// <param name="Request">The request message, protobuf binary.</param>
/// <param name="Processes">The processes doing the work, metered.</param>
/// <param name="Answers">The server's own count of the calls it answered (h2load sees HTTP statuses only).</param>
public sealed record Scenario(string Name, string Description, Uri Server, string FullMethod, byte[] Request, IReadOnlyList<MeteredProcess> Processes, AnsweredCalls Answers)
{
    /// <summary>The request as one gRPC length-prefixed frame (what h2load sends as the body).</summary>
    public byte[] GrpcFrame() => FrameOf(Request);

    /// <summary>A protobuf message as one uncompressed gRPC length-prefixed frame.</summary>
    public static byte[] FrameOf(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>The URL h2load posts to.</summary>
    public Uri Target => new(Server, "/" + FullMethod);
}
