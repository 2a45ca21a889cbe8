using System.Globalization;
using System.Text.RegularExpressions;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>A Prometheus text exposition, read by sample name and labels.</summary>
public sealed partial class PrometheusScrape(string text)
{
    /// <summary>The exposition as scraped.</summary>
    public string Text { get; } = text;

    /// <summary>Scrapes <c>/metrics</c> of the gateway's management endpoint.</summary>
    public static async Task<PrometheusScrape> FromAsync(Uri managementAddress)
    {
        using var http = new HttpClient();
        return new PrometheusScrape(await http.GetStringAsync(new Uri(managementAddress, "/metrics")));
    }

    /// <summary>The value of the sample <paramref name="name"/> whose labels include all of <paramref name="labels"/>; 0 when there is none.</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var matching = Samples()
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .ToList();
        return matching.Count switch
        {
            0 => 0,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} samples of {name} match; name more labels."),
        };
    }

    /// <summary>Every sample of the metric <paramref name="name"/>, with its labels.</summary>
    public IEnumerable<(Dictionary<string, string> Labels, double Value)> Series(string name) =>
        Samples().Where(s => s.Name == name).Select(s => (s.Labels, s.Value));

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples()
    {
        foreach (var line in Text.Split('\n'))
        {
            if (SampleLine().Match(line) is not { Success: true } match)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            yield return (match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
