using System.Diagnostics;
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
        var desk = new DeskPage(await _browser.NewPageAsync(), gateway.Application.Listeners.HttpAddress);
        await desk.OpenAsync();
        await desk.SignInAndWaitAsync();
        // Warm up (the page's runtime, the connection, the gateway's code) with another citizen, so that the measured
        // search is the first for its citizen: nothing cached, every provider asked.
        await desk.SearchAsync(DeskConsoleTests.WithBenefits);
        await desk.WaitForOverviewAsync();
        gateway.EmbeddedProviders[SlowProvider].Faults.Latency = TimeSpan.FromMilliseconds(1500);

        var others = DemoData.Seed.Providers.Count - 1;
        await desk.Page.Locator("#iin").FillAsync(DeskConsoleTests.Karasai);
        var clock = Stopwatch.StartNew();
        await desk.Page.Locator("form.search button[type=submit]").ClickAsync();
        // Every card but the slow one answered (a selector count, polled by Playwright on each animation frame).
        await Expect(desk.Page.Locator("article.card:not([data-state='waiting'])")).ToHaveCountAsync(others, new() { Timeout = 10_000 });
        var fast = clock.Elapsed;
        Assert.Equal("waiting", await desk.Card(SlowProvider).GetAttributeAsync("data-state"));
        await desk.Card(SlowProvider).And(desk.Page.Locator("[data-state='ok']")).WaitForAsync();
        var slow = clock.Elapsed;
        output.WriteLine($"the other {others} cards on screen {fast.TotalMilliseconds:F0} ms after the search; the slow one at {slow.TotalMilliseconds:F0} ms");

        // The bound is 300 ms on an idle machine (README gives the measured figure); CI's shared cores get a
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
        await desk.OpenAsync();
        await desk.SignInAndWaitAsync();
        await desk.SearchAsync(DeskConsoleTests.Karasai);
        await desk.WaitForOverviewAsync();

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
        await desk.OpenAsync();
        await desk.SignInAndWaitAsync();
        await desk.SearchAsync(DeskConsoleTests.Karasai);
        await desk.WaitForOverviewAsync();
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
