using Microsoft.Playwright;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A real browser for the console's tests: Debian's chromium (tools/setup.sh installs it) driven by Playwright, which is
/// never allowed to download one. Headless, without the sandbox (CI runs as root), one browser per fixture and a fresh
/// context (its own session storage) per test.
/// </summary>
public sealed class DeskBrowser : IAsyncDisposable
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private DeskBrowser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    /// <summary>The Playwright driver.</summary>
    public IPlaywright Playwright { get; }

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>The two screen sizes the console is made for.</summary>
    public static readonly (int Width, int Height)[] ScreenSizes = [(1280, 800), (1920, 1080)];

    /// <summary>Where the tests save the console's screenshots (a CI artifact): TestResults/desk/ at the repository root.</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(Repository.Root, "TestResults", "desk")).FullName;

    /// <summary>axe-core's browser script, installed from npm by tools/setup.sh.</summary>
    public static string AxeScript => Path.Combine(Repository.Root, "node_modules", "axe-core", "axe.min.js");

    /// <summary>Launches chromium.</summary>
    public static async Task<DeskBrowser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run tools/setup.sh (it installs Debian's chromium package).");
        }

        // Playwright's driver must never fetch a browser of its own (there is no internet here).
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return new DeskBrowser(playwright, browser);
    }

    /// <summary>A new context (its own storage), the page size given, the console's language preferred by the browser.</summary>
    /// <param name="width">The viewport's width.</param>
    /// <param name="height">The viewport's height.</param>
    /// <param name="locale">The browser's language.</param>
    /// <param name="injectsScripts">
    /// True for pages a test injects a script into (axe-core): the console's content security policy forbids inline and
    /// evaluated scripts, Playwright's included, so such a context bypasses it. Every other test runs under it.
    /// </param>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, string locale = "ru-RU", bool injectsScripts = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            BypassCSP = injectsScripts,
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
