using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>One gateway in its embedded default (demo providers in-process) and one chromium, shared by a class's tests.</summary>
public sealed class DeskConsoleFixture : IAsyncLifetime
{
    private TestGateway? _gateway;
    private DeskBrowser? _browser;

    /// <summary>The gateway.</summary>
    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("Not started.");

    /// <summary>The browser.</summary>
    public DeskBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    /// <summary>A fresh page (its own session storage) on the console, not yet opened.</summary>
    public async Task<DeskPage> NewDeskAsync(int width = 1280, int height = 800, string locale = "ru-RU") =>
        new(await Browser.NewPageAsync(width, height, locale), Gateway.Application.Listeners.HttpAddress);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync();
        _browser = await DeskBrowser.LaunchAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
