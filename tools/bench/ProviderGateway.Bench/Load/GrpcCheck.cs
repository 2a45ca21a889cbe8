using Grpc.Core;
using Grpc.Net.Client;

namespace ProviderGateway.Bench.Load;

/// <summary>
/// One real gRPC call with the benchmark's exact request bytes: proves the target answers grpc-status 0
/// (h2load sees HTTP statuses only) and gives the response size.
/// </summary>
public static class GrpcCheck
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static Metadata Headers()
    {
        var metadata = new Metadata();
        foreach (var header in BenchClient.Headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            metadata.Add(header[..colon], header[(colon + 1)..].Trim());
        }

        return metadata;
    }

    /// <summary>Calls <paramref name="fullMethod"/> (<c>package.Service/Method</c>) and returns the response size in bytes.</summary>
    /// <exception cref="RpcException">When the status is not OK.</exception>
    public static async Task<int> CallAsync(Uri server, string fullMethod, byte[] request)
    {
        using var channel = GrpcChannel.ForAddress(server);
        var separator = fullMethod.LastIndexOf('/');
        var method = new Method<byte[], byte[]>(MethodType.Unary, fullMethod[..separator], fullMethod[(separator + 1)..], Bytes, Bytes);
        var response = await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers: Headers(), deadline: DateTime.UtcNow.AddSeconds(10)), request);
        return response.Length;
    }
}
