using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// The console when providers misbehave, each test with its own gateway: a slow provider does not hold back the other
/// cards (the streamed overview), a provider that is down shows why on its card while the rest stay usable, and a meter
/// reading for a utility that is down is accepted with a durable receipt the operator can follow.
/// </summary>
[Collection(DeskConsoleCollection.Name)]
public sealed class DeskConsoleFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string SlowProvider = "alatau-power";
    private DeskBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await DeskBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task With_one_provider_at_1_5_s_the_other_cards_are_on_screen_long_before_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        // A page the test may add a script to (the content security policy bypassed): the time is taken in the browser.
        var desk = new DeskPage(await _browser.NewPageAsync(injectsScripts: true), gateway.Application.Listeners.HttpAddress);
        await desk.OpenSignedInAsync();
        // Warm up (the page's runtime, the connection, the gateway's code) with another citizen, so that the measured
        // search is the first for its citizen: nothing cached, every provider asked.
        await desk.ShowCitizenAsync(DeskConsoleTests.WithBenefits);
        gateway.EmbeddedProviders[SlowProvider].Faults.Latency = TimeSpan.FromMilliseconds(1500);

        var others = DemoData.Seed.Providers.Count - 1;
        await desk.Page.Locator("#iin").FillAsync(DeskConsoleTests.Karasai);
        // In the page: from the Search click to the DOM holding every card but the slow one answered, and then all.
        await desk.Page.EvaluateAsync(@"others => {
            window.cardTimes = {};
            document.querySelector('form.search button[type=submit]').addEventListener('click', () => {
                const start = performance.now();
                new MutationObserver(() => {
                    const answered = document.querySelectorAll(""article.card:not([data-state='waiting'])"").length;
                    if (document.querySelectorAll('article.card').length > 0 && window.cardTimes.started === undefined) { window.cardTimes.started = performance.now() - start; }
                    if (answered >= 1 && window.cardTimes.first === undefined) { window.cardTimes.first = performance.now() - start; }
                    if (answered >= others && window.cardTimes.fast === undefined) { window.cardTimes.fast = performance.now() - start; }
                    if (answered >= others + 1 && window.cardTimes.all === undefined) { window.cardTimes.all = performance.now() - start; }
                }).observe(document.body, { subtree: true, childList: true, attributes: true });
            }, { once: true, capture: true });
        }", others);
        await desk.Page.Locator("form.search button[type=submit]").ClickAsync();
        await Expect(desk.Page.Locator("article.card:not([data-state='waiting'])")).ToHaveCountAsync(others, new() { Timeout = 10_000 });
        Assert.Equal("waiting", await desk.Card(SlowProvider).GetAttributeAsync("data-state"));
        await desk.Card(SlowProvider).And(desk.Page.Locator("[data-state='ok']")).WaitForAsync();
        var fast = TimeSpan.FromMilliseconds(await desk.Page.EvaluateAsync<double>("() => window.cardTimes.fast"));
        var slow = TimeSpan.FromMilliseconds(await desk.Page.EvaluateAsync<double>("() => window.cardTimes.all"));
        var started = await desk.Page.EvaluateAsync<double>("() => window.cardTimes.started");
        var first = await desk.Page.EvaluateAsync<double>("() => window.cardTimes.first");
        output.WriteLine($"the other {others} cards on screen {fast.TotalMilliseconds:F0} ms after the search (the cards, waiting, at {started:F0} ms; " +
            $"the first answer at {first:F0} ms); the slow one at {slow.TotalMilliseconds:F0} ms; the gateway's time per provider: " +
            string.Join(", ", await desk.Page.Locator("article.card .latency").AllInnerTextsAsync()));

        // The issue's bound is 300 ms on an idle machine (README gives the measured figure); CI's shared cores get a
        // generous one that still proves the point: well before the slow provider's 1.5 s.
        Assert.True(fast < TimeSpan.FromMilliseconds(1000), $"the other cards took {fast.TotalMilliseconds:F0} ms");
        Assert.True(slow >= TimeSpan.FromMilliseconds(1400), $"the slow card came at {slow.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_provider_that_is_down_shows_why_on_its_card_and_the_rest_are_complete()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;
        var desk = new DeskPage(await _browser.NewPageAsync(), gateway.Application.Listeners.HttpAddress);
        await desk.OpenSignedInAsync();
        await desk.ShowCitizenAsync(DeskConsoleTests.Karasai);

        var down = desk.Card("teplo-service");
        Assert.Equal("failed", await down.GetAttributeAsync("data-state"));
        Assert.False(string.IsNullOrWhiteSpace(await down.Locator(".card-problem p").First.InnerTextAsync()));
        Assert.False(string.IsNullOrEmpty(await down.Locator(".card-problem").GetAttributeAsync("data-reason")));
        Assert.Equal(1, await down.Locator(".card-problem button").CountAsync());
        Assert.Equal(DemoData.Seed.Providers.Count - 1, await desk.Page.Locator("article.card[data-state='ok']").CountAsync());
        Assert.Equal("partial", await desk.Page.Locator(".overview-state").GetAttributeAsync("data-state"));
        await desk.ScreenshotAsync("overview-provider-down-1280x800");

        // Retry, once the provider is back: the card fills.
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = false;
        await down.Locator(".card-problem button").ClickAsync();
        await desk.WaitForOverviewAsync();
        await Expect(desk.Card("teplo-service")).ToHaveAttributeAsync("data-state", "ok");
    }

    [Fact]
    public async Task A_meter_reading_for_a_utility_that_is_down_gets_a_durable_receipt_the_operator_follows()
    {
        await using var gateway = await TestGateway.StartAsync();
        var desk = new DeskPage(await _browser.NewPageAsync(), gateway.Application.Listeners.HttpAddress);
        await desk.OpenSignedInAsync();
        await desk.ShowCitizenAsync(DeskConsoleTests.Karasai);
        await desk.Card("teplo-service").Locator("li[data-account] button").First.ClickAsync();
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;

        var form = desk.Page.Locator("form.action").First;
        await form.Locator("input").FillAsync("250.5");
        await form.Locator("button[type=submit]").ClickAsync();
        var receipt = form.Locator(".receipt");
        await receipt.WaitForAsync();
        Assert.Contains(await receipt.GetAttributeAsync("data-state"), new[] { "Accepted", "OnDelivery" });
        Assert.False(string.IsNullOrEmpty(await receipt.GetAttributeAsync("data-submission")));

        // The utility comes back; the relay delivers; the receipt, followed on its own, says DELIVERED.
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = false;
        await receipt.Locator("button").ClickAsync();
        await Expect(receipt).ToHaveAttributeAsync("data-state", "Delivered", new() { Timeout = 60_000 });
    }
}
