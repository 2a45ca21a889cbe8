namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// Tests sharing one real redis-server. They run one after another (some kill and restart it), by
/// themselves (one measures latency during a Redis outage), and the personal-data scan sees what the
/// others stored.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Redis";
}

/// <summary>The redis-server of <see cref="RedisCollection"/>.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    /// <summary>The running server.</summary>
    public RedisServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
