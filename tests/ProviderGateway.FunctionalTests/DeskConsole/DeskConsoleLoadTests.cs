using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// The console's first load: from an empty browser (no cache, a new context each time) to its sign-in screen, five
/// times. In the suite against an in-process gateway (the build output, gzip) with a generous bound for CI's shared
/// cores; in its strict form (<c>tools/desk/first-load.sh</c>) against a published gateway (trimmed, Brotli) with the
/// issue's bound of 3 s, set by PG_DESK_URL and PG_DESK_STRICT=1. PG_DESK_PROFILE=1 prints each file's download
/// times (the browser's resource timings) and when the screen was up.
/// </summary>
[Collection(DeskConsoleCollection.Name)]
public sealed class DeskConsoleLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task First_load_of_the_console_reaches_its_sign_in_screen_in_time()
    {
        var strict = Environment.GetEnvironmentVariable("PG_DESK_STRICT") == "1";
        var external = Environment.GetEnvironmentVariable("PG_DESK_URL");
        await using var gateway = external is null ? await TestGateway.StartAsync() : null;
        var address = external is null ? gateway!.Application.Listeners.HttpAddress : new Uri(external);
        await using var browser = await DeskBrowser.LaunchAsync();

        var loads = new List<TimeSpan>();
        long bytes = 0;
        for (var i = 0; i < 5; i++)
        {
            var desk = new DeskPage(await browser.NewPageAsync(injectsScripts: Environment.GetEnvironmentVariable("PG_DESK_PROFILE") == "1"), address);
            var received = 0L;
            desk.Page.Response += (_, response) => received += long.TryParse(response.Headers.GetValueOrDefault("content-length"), out var length) ? length : 0;
            loads.Add(await desk.OpenAsync());
            bytes = received;
            if (Environment.GetEnvironmentVariable("PG_DESK_PROFILE") == "1")
            {
                output.WriteLine(await desk.Page.EvaluateAsync<string>(
                    "() => performance.getEntriesByType('resource').map(e => `${e.name.split('/').pop()} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)} ${e.transferSize}`).join('\\n') + `\\nnav ${performance.getEntriesByType('navigation')[0].responseEnd.toFixed(0)} now ${performance.now().toFixed(0)}`"));
            }

            await desk.Page.Context.CloseAsync();
        }

        var median = loads.Order().ElementAt(loads.Count / 2);
        output.WriteLine($"first load of {address}desk/ to the sign-in screen: {string.Join(", ", loads.Select(l => $"{l.TotalMilliseconds:F0}"))} ms; " +
            $"median {median.TotalMilliseconds:F0} ms; {bytes / 1024.0 / 1024.0:F1} MB transferred");
        var bound = strict ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15);
        Assert.True(median < bound, $"median first load {median.TotalMilliseconds:F0} ms (bound {bound.TotalSeconds} s)");
    }
}
