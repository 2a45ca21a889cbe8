using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>The front-desk console in a real browser against a live gateway with the demo providers.</summary>
public sealed class DeskConsoleTests(DeskConsoleFixture fixture, ITestOutputHelper output) : IClassFixture<DeskConsoleFixture>
{
    private static string Citizen => "791028302728";

    [Fact]
    public async Task Signs_in_searches_and_shows_every_providers_card()
    {
        var desk = await fixture.NewDeskAsync();
        var load = await desk.OpenAsync();
        output.WriteLine($"first load {load.TotalMilliseconds:F0} ms");
        await desk.SignInAndWaitAsync();
        await desk.SearchAsync(Citizen);
        await desk.WaitForOverviewAsync();
        var providers = fixture.Gateway.Application.EmbeddedProviders!.Servers.Count;
        Assert.Equal(providers, await desk.Cards.CountAsync());
        await desk.ScreenshotAsync("smoke");
        output.WriteLine(await desk.TextAsync());
    }
}
