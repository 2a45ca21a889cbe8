namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// One gateway in its embedded default (demo providers in-process, each a real Kestrel server on a
/// loopback port) shared by the tests of a class. Tests that change provider behaviour start their own.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private TestGateway? _gateway;

    /// <summary>The running gateway.</summary>
    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
