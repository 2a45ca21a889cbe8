using System.Collections.Frozen;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Configuration;

namespace ProviderGateway.Providers;

/// <summary>
/// One long-lived gRPC channel per provider, created at start-up and reused by every call: HTTP/2
/// connections are expensive to open, and a channel multiplexes calls over them (opening more
/// connections when one is full of streams).
/// </summary>
public sealed class ProviderChannels : IDisposable
{
    private readonly FrozenDictionary<string, GrpcChannel> _channels;

    /// <summary>Creates the channels of every configured provider (connections open on first use).</summary>
    public ProviderChannels(ProviderRegistry registry, ILoggerFactory loggerFactory)
    {
        _channels = registry.All.ToFrozenDictionary(
            p => p.Id,
            p => GrpcChannel.ForAddress(p.Endpoint, new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(),
                DisposeHttpClient = true,
                LoggerFactory = loggerFactory,
                // The gateway decides about retries itself; the channel must not replay calls on its own.
                MaxRetryAttempts = 0,
                ThrowOperationCanceledOnCancellation = false,
            }),
            StringComparer.Ordinal);
    }

    /// <summary>The call invoker of a provider's channel.</summary>
    public CallInvoker InvokerFor(ProviderDescriptor provider) => _channels[provider.Id].CreateCallInvoker();

    /// <summary>The channel of a provider.</summary>
    public GrpcChannel ChannelFor(ProviderDescriptor provider) => _channels[provider.Id];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        // Detects a provider that silently dropped the connection (firewalls, crashed hosts).
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };
}
