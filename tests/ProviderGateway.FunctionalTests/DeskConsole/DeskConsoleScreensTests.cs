using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;
using ProviderGateway.FunctionalTests.Consent;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// Every screen of the console, walked in a real browser against a gateway whose office client needs the citizen's
/// consent (and the tests' desk, which does not): the consent flow itself; every screen in kk, ru and en with no label
/// of another language left; axe-core's check of every screen at 1280x800 and 1920x1080 with their screenshots saved to
/// TestResults/desk/; and a keyboard-only walk from sign-in through search and overview to a meter reading.
/// </summary>
[Collection(DeskConsoleCollection.Name)]
public sealed partial class DeskConsoleScreensTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ConsentScenario _scenario = null!;
    private DeskBrowser _browser = null!;

    private Uri Gateway => _scenario.Gateway.Application.Listeners.HttpAddress;

    public async Task InitializeAsync()
    {
        _scenario = await ConsentScenario.StartAsync();
        _browser = await DeskBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task An_office_that_needs_consent_asks_for_it_and_then_sees_the_overview()
    {
        var desk = new DeskPage(await _browser.NewPageAsync(), Gateway);
        await desk.OpenAsync();
        await desk.SignInAsync(ConsentScenario.OfficeKey, ConsentScenario.Operator, ConsentScenario.Purpose);
        await desk.Page.Locator("#iin").WaitForAsync();
        _scenario.ResetProviderCalls();
        await desk.SearchAsync(DeskConsoleTests.Karasai);

        // Refused for want of consent: nothing was read from any provider; the console asks for the consent.
        var consent = desk.Page.Locator("section.consent");
        await consent.WaitForAsync();
        Assert.Equal(0, _scenario.ProviderCalls);
        await ConsentAsync(desk);

        await desk.WaitForOverviewAsync();
        Assert.Equal(DemoData.Seed.Providers.Count, await desk.Page.Locator("article.card[data-state='ok']").CountAsync());
    }

    [Fact]
    public async Task Every_screen_in_kk_ru_and_en_has_no_label_of_another_language()
    {
        var resources = ResourceSets();
        foreach (var language in new[] { "kk", "ru", "en" })
        {
            var shown = new List<(string Screen, string Text)>();
            await WalkEveryScreenAsync(language, 1280, 800, injectsScripts: false, async (desk, screen) => shown.Add((screen, await desk.LabelTextAsync())));

            var foreign = ForeignFragments(resources, language);
            foreach (var (screen, text) in shown)
            {
                Assert.DoesNotMatch(MissingKey(), text);
                var leftovers = foreign.Where(f => text.Contains(f, StringComparison.Ordinal)).ToList();
                Assert.True(leftovers.Count == 0, $"{language}, screen '{screen}' shows text of another language: {string.Join(" | ", leftovers)}");
            }

            output.WriteLine($"{language}: {shown.Count} screens, {foreign.Count} other-language texts looked for, none found");
        }
    }

    [Fact]
    public async Task Axe_core_finds_no_serious_or_critical_violation_on_any_screen_at_either_size_and_screenshots_are_saved()
    {
        var axe = await File.ReadAllTextAsync(DeskBrowser.AxeScript);
        var problems = new List<string>();
        foreach (var (width, height) in DeskBrowser.ScreenSizes)
        {
            await WalkEveryScreenAsync("ru", width, height, injectsScripts: true, async (desk, screen) =>
            {
                await desk.ScreenshotAsync($"{screen}-{width}x{height}");
                await desk.Page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = axe });
                var violations = await desk.Page.EvaluateAsync<JsonElement>(
                    "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
                    ".map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3) }))");
                foreach (var violation in violations.EnumerateArray())
                {
                    var impact = violation.GetProperty("impact").GetString();
                    var line = $"{screen} {width}x{height}: {impact} {violation.GetProperty("id").GetString()} ({violation.GetProperty("help").GetString()}) at {violation.GetProperty("nodes")}";
                    output.WriteLine(line);
                    if (impact is "serious" or "critical")
                    {
                        problems.Add(line);
                    }
                }
            });
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Keyboard_only_from_sign_in_through_search_and_overview_to_a_meter_reading()
    {
        var desk = new DeskPage(await _browser.NewPageAsync(), Gateway);
        await desk.OpenAsync();
        var keyboard = desk.Page.Keyboard;

        // Sign-in: the heading has focus; Tab to each field, type, Enter submits.
        await keyboard.PressAsync("Tab");
        await Expect(desk.Page.Locator("#api-key")).ToBeFocusedAsync();
        await keyboard.TypeAsync(TestSecrets.ApiKey);
        await keyboard.PressAsync("Tab");
        await Expect(desk.Page.Locator("#operator-id")).ToBeFocusedAsync();
        await keyboard.TypeAsync(TestSecrets.OperatorId);
        await keyboard.PressAsync("Enter");

        // Search: focus moves to the screen's heading; Tab to the IIN, type, Enter.
        await Expect(desk.Page.Locator("#search-title")).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Expect(desk.Page.Locator("#iin")).ToBeFocusedAsync();
        await keyboard.TypeAsync(DeskConsoleTests.Karasai);
        await keyboard.PressAsync("Enter");
        await desk.WaitForOverviewAsync();

        // Overview: Tab until an account's button has focus (every control is reachable), Enter opens it.
        var target = desk.Page.Locator("article.card li[data-account] button").First;
        var firstAccount = await desk.Page.Locator("article.card li[data-account]").First.GetAttributeAsync("data-account");
        for (var presses = 0; presses < 40 && await desk.Page.Locator($"li[data-account='{firstAccount}'] button:focus").CountAsync() == 0; presses++)
        {
            await keyboard.PressAsync("Tab");
        }

        await Expect(target).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");
        await Expect(desk.Page.Locator("#details-title")).ToBeFocusedAsync();

        // The meter reading: Tab to its input, type, Enter submits; the confirmation is announced (role=status).
        var reading = desk.Page.Locator("form.action input").First;
        for (var presses = 0; presses < 60 && await desk.Page.Locator("form.action input:focus").CountAsync() == 0; presses++)
        {
            await keyboard.PressAsync("Tab");
        }

        await Expect(reading).ToBeFocusedAsync();
        await keyboard.TypeAsync("123456.5");
        await keyboard.PressAsync("Enter");
        await desk.Page.Locator("form.action .confirmed[role='status']").First.WaitForAsync();
    }

    /// <summary>
    /// Signs in as the tests' desk and walks sign-in, search, overview, an account's, a parcel's and a benefit's details
    /// and the provider board; then as the office that needs consent, to the consent screen. <paramref name="visit"/> sees
    /// each screen once it is complete.
    /// </summary>
    private async Task WalkEveryScreenAsync(string language, int width, int height, bool injectsScripts, Func<DeskPage, string, Task> visit)
    {
        var desk = new DeskPage(await _browser.NewPageAsync(width, height, injectsScripts: injectsScripts), Gateway);
        await desk.OpenAsync();
        await desk.SwitchLanguageAsync(language);
        await visit(desk, "sign-in");

        await desk.SignInAndWaitAsync();
        await visit(desk, "search");
        await desk.SearchAsync(DeskConsoleTests.Karasai);
        await desk.WaitForOverviewAsync();
        await visit(desk, "overview");

        await desk.Page.Locator("article.card li[data-account] button").First.ClickAsync();
        await desk.Page.Locator("section.details dl.facts dd").First.WaitForAsync();
        await desk.Page.Locator("section.details table tbody tr").First.WaitForAsync();
        await visit(desk, "account");
        await desk.Page.Locator("section.details button.link").ClickAsync();
        await desk.WaitForOverviewAsync();

        await desk.Page.Locator("article.card li.encumbered[data-parcel] button").First.ClickAsync();
        await desk.Page.Locator("section.details tr.encumbered").First.WaitForAsync();
        await visit(desk, "parcel");
        await desk.Page.Locator("section.details button.link").ClickAsync();

        await desk.SearchAsync(DeskConsoleTests.WithBenefits);
        await desk.WaitForOverviewAsync();
        await desk.Page.Locator("article.card li[data-benefit] button").First.ClickAsync();
        await desk.Page.Locator("section.details table tbody tr").First.WaitForAsync();
        await desk.Page.Locator(".eligibility").WaitForAsync();
        await visit(desk, "benefit");

        await desk.Page.Locator("nav.places button").Last.ClickAsync();
        await desk.Page.Locator("table.board tbody tr").First.WaitForAsync();
        await visit(desk, "providers");

        // The office that needs consent: the consent screen, with the code sent.
        await desk.Page.Locator(".topbar button.link").ClickAsync();
        await desk.SignInAsync(ConsentScenario.OfficeKey, ConsentScenario.Operator, ConsentScenario.Purpose);
        await desk.Page.Locator("#iin").WaitForAsync();
        await desk.SearchAsync(DeskConsoleTests.Karasai);
        await desk.Page.Locator("section.consent button.primary").ClickAsync();
        await desk.Page.Locator("#consent-code").WaitForAsync();
        await visit(desk, "consent");
    }

    private async Task ConsentAsync(DeskPage desk)
    {
        var consent = desk.Page.Locator("section.consent");
        await consent.Locator("button.primary").ClickAsync();
        await desk.Page.Locator("#consent-code").WaitForAsync();
        var requestId = await consent.GetAttributeAsync("data-request");
        await desk.Page.Locator("#consent-code").FillAsync(await _scenario.OutboxCodeAsync(requestId!));
        await consent.Locator("form button[type=submit]").ClickAsync();
    }

    /// <summary>The console's texts per language, read from its .resx files.</summary>
    private static Dictionary<string, Dictionary<string, string>> ResourceSets()
    {
        var folder = Path.Combine(Repository.Root, "src", "ProviderGateway.Desk", "Resources");
        return new Dictionary<string, Dictionary<string, string>>
        {
            ["en"] = Read(Path.Combine(folder, "DeskText.resx")),
            ["ru"] = Read(Path.Combine(folder, "DeskText.ru.resx")),
            ["kk"] = Read(Path.Combine(folder, "DeskText.kk.resx")),
        };

        static Dictionary<string, string> Read(string path) =>
            XDocument.Load(path).Root!.Elements("data").ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")!.Value);
    }

    /// <summary>
    /// What another language's texts would leave on screen: each text's pieces between its placeholders, of 6 characters
    /// or more, that no text of <paramref name="language"/> contains (so a word both languages share is not looked for).
    /// </summary>
    private static List<string> ForeignFragments(Dictionary<string, Dictionary<string, string>> resources, string language)
    {
        var own = resources[language].Values.ToList();
        return [.. resources.Where(r => r.Key != language)
            .SelectMany(r => r.Value.Where(entry => !entry.Key.StartsWith("Language.", StringComparison.Ordinal) && resources[language].GetValueOrDefault(entry.Key) != entry.Value))
            .SelectMany(entry => Placeholder().Split(entry.Value))
            .Select(fragment => fragment.Trim(' ', '.', ',', ':', ';', '(', ')', '·', '…', '—', '–'))
            .Where(fragment => fragment.Length >= 6 && !own.Any(text => text.Contains(fragment, StringComparison.Ordinal)))
            .Distinct()];
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    // A text the console could not find shows as its key in brackets: [Card.Waiting].
    [GeneratedRegex(@"\[[A-Z][A-Za-z]+\.[A-Za-z.-]+\]")]
    private static partial Regex MissingKey();
}
