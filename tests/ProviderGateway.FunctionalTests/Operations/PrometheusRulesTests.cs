using System.Text.RegularExpressions;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The alerting rules in deploy/prometheus: valid for Prometheus (promtool check rules), each alert with a firing and a
/// not-firing unit test that pass (promtool test rules; Debian's prometheus package, installed by tools/setup.sh), and
/// every gateway metric they read one the gateway creates, those of every gateway's first calls seen in a real scrape.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static string Rules => Path.Combine(Repository.Root, "deploy", "prometheus", "alerts.yml");

    private static string RuleTests => Path.Combine(Repository.Root, "deploy", "prometheus", "alerts.test.yml");

    [Fact]
    public async Task The_rules_are_valid_and_their_unit_tests_pass()
    {
        var check = await ScriptRunner.RunProgramAsync("promtool", "check", "rules", Rules);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Contains("SUCCESS", check.Output + check.Error, StringComparison.Ordinal);

        var test = await ScriptRunner.RunProgramAsync("promtool", "test", "rules", RuleTests);
        Assert.True(test.ExitCode == 0, test.Output + test.Error);
        Assert.Contains("SUCCESS", test.Output + test.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_not_firing_case()
    {
        var alerts = AlertName().Matches(File.ReadAllText(Rules)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var cases = TestCase().Matches(File.ReadAllText(RuleTests)).Select(m => (Alert: m.Groups["name"].Value, Fires: m.Groups["none"].Value.Length == 0)).ToList();

        Assert.True(alerts.Count >= 7, $"{alerts.Count} alerts");
        foreach (var alert in alerts)
        {
            Assert.True(cases.Contains((alert, true)), $"{alert} has no firing case");
            Assert.True(cases.Contains((alert, false)), $"{alert} has no not-firing case");
        }
    }

    [Fact]
    public async Task Every_gateway_metric_the_rules_read_is_one_the_gateway_creates()
    {
        var read = GatewayMetric().Matches(File.ReadAllText(Rules)).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(read);
        foreach (var name in read)
        {
            Assert.True(GatewayInstruments.Creates(name), $"alerts.yml reads {name}, which no instrument of the gateway creates");
        }

        // Those every gateway exports once a call has been answered, seen in a real scrape (the journal's counters only
        // once its writer, which runs apart from the calls, has written: not awaited here).
        await using var gateway = await TestGateway.StartAsync();
        await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[0].Iin });
        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);
        foreach (var name in new[] { "providergateway_provider_calls_total", "providergateway_provider_circuit_state", "providergateway_journal_queue_length" })
        {
            Assert.True(read.Contains(name), $"the rules no longer read {name}");
            Assert.Contains("\n" + name, "\n" + scrape.Text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\s*-\s*alert:\s*(?<name>\S+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname:\s*(?<name>\S+)\s*\n\s*exp_alerts:(?<none>\s*\[\])?")]
    private static partial Regex TestCase();

    private static Regex GatewayMetric() => GatewayInstruments.MetricName();
}
