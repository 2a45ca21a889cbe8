using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.Chaos.Rules;

/// <summary>What a gateway left behind: its desk-call metric (scraped before it stopped), its journal and verifier output, its log.</summary>
/// <param name="Name">A or B.</param>
/// <param name="JournalPath">The journal.</param>
/// <param name="JournalCountedFrom">
/// The byte offset from which journal lines are compared with the metric: 0, or for an instance killed and restarted the
/// journal's length right after the kill (its metric counts the last life only).
/// </param>
/// <param name="Metric">providergateway_desk_calls_total by (method, code), personal-data methods (ListProviders left out).</param>
/// <param name="VerifierExitCode">The verifier's exit code.</param>
/// <param name="VerifierOutput">What the verifier printed.</param>
/// <param name="Log">Everything the gateway printed, every life.</param>
public sealed record GatewayEvidence(
    string Name,
    string JournalPath,
    long JournalCountedFrom,
    IReadOnlyDictionary<(string Method, string Code), long> Metric,
    int VerifierExitCode,
    string VerifierOutput,
    string Log)
{
    /// <summary>The journal's access records (gateway events and torn lines skipped) from <see cref="JournalCountedFrom"/>, by (method, result).</summary>
    public IReadOnlyDictionary<(string Method, string Code), long> JournalLines()
    {
        using var file = new FileStream(JournalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(JournalCountedFrom, SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        var counts = new Dictionary<(string, string), long>();
        while (reader.ReadLine() is { } line)
        {
            if (ParseEntry(line) is not { } entry || entry.TryGetProperty("event", out _))
            {
                continue;
            }

            var key = (entry.GetProperty("method").GetString() ?? "", entry.GetProperty("result").GetString() ?? "");
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private static JsonElement? ParseEntry(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("entry", out var entry) ? entry.Clone() : null;
        }
        catch (JsonException)
        {
            return null; // a torn line, or the rest of one
        }
    }
}

/// <summary>Reads the evidence: the metric scrape, the verifier.</summary>
public static partial class EvidenceReader
{
    /// <summary>The desk-call counter of a gateway's /metrics, personal-data methods only, by (method, code).</summary>
    public static async Task<IReadOnlyDictionary<(string Method, string Code), long>> DeskCallsAsync(Uri management)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri(management, "/metrics"));
        var counts = new Dictionary<(string, string), long>();
        foreach (var line in text.Split('\n'))
        {
            if (DeskCallsSample().Match(line) is not { Success: true } match)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            var method = labels.GetValueOrDefault("method", "");
            if (method == "ListProviders")
            {
                continue; // not personal data: never journaled
            }

            var key = (method, labels.GetValueOrDefault("code", ""));
            counts[key] = counts.GetValueOrDefault(key) + (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return counts;
    }

    /// <summary>Runs tools/journal/verify-journal.py on a journal with the run's chain key and public key.</summary>
    public static async Task<(int ExitCode, string Output)> VerifyJournalAsync(string repositoryRoot, string journal, string chainKeyFile, string publicKey)
    {
        var result = await ChildProcess.RunAsync(
            new ProcessCommand("python3", [Path.Combine(repositoryRoot, "tools", "journal", "verify-journal.py"), journal, "--chain-key-file", chainKeyFile, "--public-key", publicKey]),
            TimeSpan.FromMinutes(2));
        return (result.ExitCode, (result.Output + result.Error).Trim());
    }

    [GeneratedRegex(@"^providergateway_desk_calls_total\{(?<labels>[^}]*)\} (?<value>\S+)")]
    private static partial Regex DeskCallsSample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
