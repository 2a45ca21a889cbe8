using System.Text.RegularExpressions;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The metrics the gateway creates (its meters' instruments in src/ProviderGateway), as OpenTelemetry's Prometheus
/// exporter names them: what the alerting rules and the Grafana dashboard may read.
/// </summary>
public static partial class GatewayInstruments
{
    private static readonly HashSet<string> Created = Directory
        .EnumerateFiles(Path.Combine(Infrastructure.Repository.Root, "src", "ProviderGateway"), "*.cs", SearchOption.AllDirectories)
        .SelectMany(file => InstrumentName().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value.Replace('.', '_')))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="prometheusName"/> (<c>providergateway_…</c>) is one of the gateway's instruments.</summary>
    public static bool Creates(string prometheusName) => Created.Contains(Instrument(prometheusName));

    /// <summary>A gateway metric's name in a query.</summary>
    [GeneratedRegex(@"\bprovidergateway_[a-z0-9_]+\b")]
    public static partial Regex MetricName();

    // A Prometheus name back to its instrument's: without the exporter's suffixes (histogram series, unit, counter).
    private static string Instrument(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                break;
            }
        }

        foreach (var suffix in new[] { "_total", "_seconds" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
            }
        }

        return name;
    }

    [GeneratedRegex(@"""(?<name>providergateway\.[a-z0-9._]+[a-z0-9])""")]
    private static partial Regex InstrumentName();
}
