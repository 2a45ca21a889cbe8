using Microsoft.Playwright;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// The console as an operator uses it, through a real browser: sign in, search, read cards, open details. Locates
/// elements by their labels and roles (what a screen reader would announce), not by layout.
/// </summary>
public sealed class DeskPage(IPage page, Uri gateway)
{
    /// <summary>The browser page.</summary>
    public IPage Page { get; } = page;

    /// <summary>The console's address on the gateway's HTTP endpoint.</summary>
    public Uri Address { get; } = new(gateway, "/desk/");

    /// <summary>Every request the page sent, in order (Playwright's request log).</summary>
    public List<IRequest> Requests { get; } = Track(page);

    /// <summary>The gRPC-Web calls the page sent to the front-desk service.</summary>
    public IEnumerable<IRequest> DeskCalls => Requests.Where(r => r.Url.Contains("/providergateway.frontdesk.v1.FrontDeskService/", StringComparison.Ordinal));

    /// <summary>Opens the console and waits until its first screen is on it; returns how long that took.</summary>
    public async Task<TimeSpan> OpenAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Page.GotoAsync(Address.ToString());
        await Page.Locator("h1").First.WaitForAsync();
        return started.Elapsed;
    }

    /// <summary>Signs in with the given key, operator and purpose code.</summary>
    public async Task SignInAsync(string apiKey = TestSecrets.ApiKey, string operatorId = TestSecrets.OperatorId, string purpose = "citizen-enquiry")
    {
        await Page.Locator("#api-key").FillAsync(apiKey);
        await Page.Locator("#operator-id").FillAsync(operatorId);
        await Page.Locator("#purpose").SelectOptionAsync(purpose);
        await Page.Locator("form button[type=submit]").ClickAsync();
    }

    /// <summary>Signs in and waits for the citizen search.</summary>
    public async Task SignInAndWaitAsync(string apiKey = TestSecrets.ApiKey, string operatorId = TestSecrets.OperatorId)
    {
        await SignInAsync(apiKey, operatorId);
        await Page.Locator("#iin").WaitForAsync();
    }

    /// <summary>Opens the console and signs in as the tests' desk.</summary>
    public async Task OpenSignedInAsync()
    {
        await OpenAsync();
        await SignInAndWaitAsync();
    }

    /// <summary>Searches a citizen and waits for the whole overview.</summary>
    public async Task ShowCitizenAsync(string iin)
    {
        await SearchAsync(iin);
        await WaitForOverviewAsync();
    }

    /// <summary>Types an IIN and presses Search.</summary>
    public async Task SearchAsync(string iin)
    {
        await Page.Locator("#iin").FillAsync(iin);
        await Page.Locator("form.search button[type=submit]").ClickAsync();
    }

    /// <summary>A provider's card.</summary>
    public ILocator Card(string providerId) => Page.Locator($"article.card[data-provider='{providerId}']");

    /// <summary>Every card.</summary>
    public ILocator Cards => Page.Locator("article.card");

    /// <summary>Waits until the overview says it is finished (complete or partial).</summary>
    public Task WaitForOverviewAsync() =>
        Page.Locator(".overview-state[data-state='complete'], .overview-state[data-state='partial']").WaitForAsync();

    /// <summary>Switches the language (the page reloads) and waits for the new one.</summary>
    public async Task SwitchLanguageAsync(string language)
    {
        await Page.Locator($".language-switch button[data-language='{language}']").ClickAsync();
        // A selector, not a script: the console's content security policy forbids evaluating strings (Playwright's too).
        await Page.Locator($"html[lang='{language}']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Page.Locator("h1").First.WaitForAsync();
    }

    /// <summary>The page's visible text.</summary>
    public Task<string> TextAsync() => Page.Locator("body").InnerTextAsync();

    /// <summary>
    /// The page's visible text without the data it shows (addresses, provider and people's names, in whatever language
    /// their source wrote them): the console marks those translate="no", as HTML says of content not to be translated.
    /// </summary>
    public async Task<string> LabelTextAsync()
    {
        var text = await TextAsync();
        foreach (var data in (await Page.Locator("[translate='no']").AllInnerTextsAsync()).Where(d => d.Length > 0).OrderByDescending(d => d.Length))
        {
            text = text.Replace(data, " ", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Saves a screenshot into TestResults/desk/.</summary>
    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DeskBrowser.Screenshots, name + ".png"), FullPage = true });

    private static List<IRequest> Track(IPage page)
    {
        var requests = new List<IRequest>();
        page.Request += (_, request) =>
        {
            lock (requests)
            {
                requests.Add(request);
            }
        };
        return requests;
    }
}
