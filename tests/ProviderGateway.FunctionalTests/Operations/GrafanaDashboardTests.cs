using System.Text.Json;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The Grafana dashboard in deploy/grafana: every query is valid PromQL (promtool checks it, with Grafana's variables
/// set) and reads only metrics the gateway creates (or ASP.NET Core's and Prometheus' own); every panel takes the
/// dashboard's Prometheus data source and instance variable.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private static readonly JsonDocument Dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "grafana", "providergateway.json")));

    private static IEnumerable<(string Panel, string Expr)> Queries =>
        Dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray()
                .Select(target => (panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!)));

    [Fact]
    public void Every_query_reads_only_metrics_the_gateway_creates()
    {
        var read = 0;
        foreach (var (panel, expr) in Queries)
        {
            foreach (var name in GatewayInstruments.MetricName().Matches(expr).Select(m => m.Value))
            {
                Assert.True(GatewayInstruments.Creates(name), $"panel '{panel}' reads {name}, which no instrument of the gateway creates");
                read++;
            }
        }

        Assert.True(read >= 15, $"{read} gateway metrics read");
    }

    [Fact]
    public async Task Every_query_is_valid_promql()
    {
        // Each query as a recording rule (Grafana's variables given values), checked by promtool.
        var rules = Path.Combine(Path.GetTempPath(), $"grafana-queries-{Guid.NewGuid():N}.yml");
        var lines = new List<string> { "groups:", "  - name: grafana-dashboard", "    rules:" };
        var i = 0;
        foreach (var (_, expr) in Queries)
        {
            var promql = expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal);
            lines.Add($"      - record: grafana:query_{i++}");
            lines.Add($"        expr: {JsonSerializer.Serialize(promql)}");
        }

        await File.WriteAllLinesAsync(rules, lines);
        try
        {
            var check = await ScriptRunner.RunProgramAsync("promtool", "check", "rules", rules);
            Assert.True(check.ExitCode == 0, check.Output + check.Error);
            Assert.Contains($"SUCCESS: {i} rules found", check.Output + check.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void Every_panel_uses_the_dashboards_data_source_and_instance_variable()
    {
        var root = Dashboard.RootElement;
        Assert.Equal("providergateway", root.GetProperty("uid").GetString());
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
        Assert.Contains("datasource", variables);
        Assert.Contains("instance", variables);
        var ids = new HashSet<int>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), "panel ids repeat");
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), target => Assert.Contains("$instance", target.GetProperty("expr").GetString(), StringComparison.Ordinal));
        }
    }
}
