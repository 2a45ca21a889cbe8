using Grpc.Core;
using Grpc.Net.Client;

namespace ProviderGateway.Bench.Load;

/// <summary>
/// The benchmark's desk as a real gRPC client (Grpc.Net.Client), for the scenarios h2load cannot play:
/// channels to the gateway and the metadata of <see cref="BenchClient"/> on every call.
/// </summary>
public static class DeskClient
{
    private static readonly Metadata.Entry NoCache = new("cache-control", "no-cache");

    /// <summary>
    /// <paramref name="count"/> channels to <paramref name="address"/>, each with its own connection(s): Kestrel
    /// resets a connection with too many unread calls in flight (ENHANCE_YOUR_CALM), so load is spread over them.
    /// </summary>
    public static GrpcChannel[] Channels(Uri address, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => GrpcChannel.ForAddress(address))];

    /// <summary>The call options of a desk call: the client's headers, a deadline, and <c>cache-control: no-cache</c> when <paramref name="fresh"/>.</summary>
    public static CallOptions Options(bool fresh, TimeSpan deadline)
    {
        var metadata = new Metadata();
        foreach (var header in BenchClient.Headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            metadata.Add(header[..colon], header[(colon + 1)..].Trim());
        }

        if (fresh)
        {
            metadata.Add(NoCache);
        }

        return new CallOptions(headers: metadata, deadline: DateTime.UtcNow.Add(deadline));
    }
}
