using Grpc.Core;
using ProviderGateway.Chaos.Load;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Chaos.Rules;

/// <summary>One rule checked over the run: what it covers and every violation found.</summary>
/// <param name="Id">A short stable id (the xUnit test asserts by it).</param>
/// <param name="Title">What the rule says.</param>
/// <param name="Checked">What it was checked over, counted (<c>1,204 calls</c>).</param>
/// <param name="Violations">How many times it was broken.</param>
/// <param name="Examples">The first violations, each naming what was seen (method, gateway, time, status, source).</param>
/// <param name="Note">How it was checked, what was left out and why.</param>
public sealed record RuleResult(string Id, string Title, string Checked, int Violations, IReadOnlyList<string> Examples, string Note)
{
    /// <summary>Whether it held.</summary>
    public bool Passed => Violations == 0;
}

/// <summary>A run's evidence and its rules.</summary>
/// <param name="Evidence">What the run saw.</param>
/// <param name="Rules">Each rule's result.</param>
public sealed record ChaosResult(ChaosEvidence Evidence, IReadOnlyList<RuleResult> Rules)
{
    /// <summary>The rule <paramref name="id"/>.</summary>
    public RuleResult Rule(string id) => Rules.Single(r => r.Id == id);
}

/// <summary>The rules of the chaos run, each over every recorded call (or journal, or write) it concerns.</summary>
public static class ChaosRules
{
    /// <summary>Examples listed per rule, at most.</summary>
    public const int MaxExamples = 12;

    /// <summary>The ErrorInfo reason of a result served because its provider failed.</summary>
    public const string ServedStale = "SERVED_STALE_AFTER_PROVIDER_FAILURE";

    /// <summary>Checks every rule.</summary>
    public static IReadOnlyList<RuleResult> Check(ChaosEvidence evidence)
    {
        var (from, to) = evidence.KilledGatewayDown;
        bool Excused(CallRecord c) => !c.FromGateway && c.Gateway == evidence.KilledGateway && c.Start <= to && c.End >= from && c.Code != StatusCode.Cancelled;
        var excused = evidence.Calls.Where(Excused).ToList();
        var calls = evidence.Calls.Where(c => !Excused(c)).ToList();
        var excuseNote = $"{excused.Count} calls left out: sent to gateway {evidence.KilledGateway} between its SIGKILL ({from.TotalSeconds:F2} s) and its "
            + $"restart ({to.TotalSeconds:F2} s) and ended by the desk's client (no connection, connection reset), not by a gateway: "
            + string.Join(", ", excused.GroupBy(c => c.Code).Select(g => $"{g.Count()} {g.Key}"));
        var limit = evidence.Options.DeskDeadline + evidence.Options.Slack;
        var sources = evidence.Calls.SelectMany(c => c.Sources.Select(s => (Call: c, Source: s))).ToList();
        var overviews = evidence.Calls.Where(c => c.Complete is not null).ToList();

        return
        [
            CallRule("no-unknown", "No call ends UNKNOWN", calls, c => c.Code == StatusCode.Unknown, excuseNote),
            CallRule("no-internal", "No call ends INTERNAL", calls, c => c.Code == StatusCode.Internal, excuseNote),
            CallRule(
                "on-time",
                $"No answer later than the desk's deadline + {evidence.Options.Slack.TotalMilliseconds:F0} ms ({limit.TotalMilliseconds:F0} ms)",
                calls,
                c => c.Elapsed > limit,
                $"elapsed from sending to the status, as the desk measured it; the desk waits {evidence.Options.DeskWait.TotalSeconds:F0} s, so a call it gave up on shows as CANCELLED (desk-side). " + excuseNote),
            Rule(
                "stale-not-cached",
                $"No result served because its provider failed is labelled CACHED (status OK with {ServedStale} must be STALE)",
                $"{sources.Count} sources in {evidence.Calls.Count(c => c.Sources.Count > 0)} answers",
                sources.Where(s => s.Source.Code == 0 && s.Source.Reason == ServedStale && s.Source.Freshness != Freshness.Stale)
                    .Select(s => $"{s.Call}: source {s.Source}"),
                "overview results, listing sources and single calls' sources alike"),
            Rule(
                "no-cache-live",
                "A no-cache call is answered from its provider: every OK source of it is LIVE (no cached or stale answer)",
                $"{sources.Count(s => s.Call.NoCache)} sources of {evidence.Calls.Count(c => c.NoCache && c.Sources.Count > 0)} no-cache answers",
                sources.Where(s => s.Call.NoCache && s.Source.Code == 0 && s.Source.Freshness != Freshness.Live).Select(s => $"{s.Call}: source {s.Source}"),
                "README Caching, desk bypass: cache-control: no-cache makes the gateway call the provider (no cached or stale answer); a failed provider is its error"),
            Rule(
                "complete-false",
                "complete=false whenever any source is STALE or failed",
                $"{overviews.Count} overviews answered",
                overviews.Where(c => c.Complete == true && c.Sources.Any(s => s.Freshness == Freshness.Stale || s.Code != 0))
                    .Select(c => $"{c}: complete=true with {string.Join("; ", c.Sources.Where(s => s.Freshness == Freshness.Stale || s.Code != 0))}"),
                "every overview the desk received"),
            Rule(
                "stale-has-errorinfo",
                "Every STALE result carries an ErrorInfo",
                $"{sources.Count(s => s.Source.Freshness == Freshness.Stale)} STALE sources of {sources.Count}",
                sources.Where(s => s.Source.Freshness == Freshness.Stale && !s.Source.HasErrorInfo).Select(s => $"{s.Call}: source {s.Source} without ErrorInfo"),
                "overview results, listing sources and single calls' sources alike"),
            Writes(evidence),
            Journals(evidence),
            JournalMatchesMetric(evidence),
            NoIin(evidence),
        ];
    }

    private static RuleResult CallRule(string id, string title, IReadOnlyList<CallRecord> calls, Func<CallRecord, bool> violates, string note) =>
        Rule(id, title, $"{calls.Count} calls", calls.Where(violates).OrderBy(c => c.Start).Select(c => c.ToString() + (c.Detail is null ? "" : $" — \"{Shorten(c.Detail)}\"")), note);

    private static RuleResult Rule(string id, string title, string checkedOver, IEnumerable<string> violations, string note)
    {
        var all = violations.ToList();
        return new RuleResult(id, title, checkedOver, all.Count, [.. all.Take(MaxExamples)], note);
    }

    private static RuleResult Writes(ChaosEvidence evidence)
    {
        var violations = new List<string>();
        var total = 0;
        var notes = new List<string>();
        foreach (var provider in evidence.Writes)
        {
            total += provider.Replays.Count;
            var applications = provider.SequenceAfter - provider.SequenceBefore - 1;
            var appliedDuringRun = provider.Replays.Where(r => r.Code == StatusCode.OK && r.Sequence > provider.SequenceBefore && r.Sequence < provider.SequenceAfter).ToList();
            var okAtDesk = provider.Replays.Count(r => r.Call.Code == StatusCode.OK);
            notes.Add($"{provider.ProviderId}: {provider.Replays.Count} writes sent, {okAtDesk} answered OK, {appliedDuringRun.Count} request_ids applied during the run, "
                + $"{applications} readings created (id sequence {provider.SequenceBefore} to {provider.SequenceAfter}), {provider.Receipts} CreateMeterReading receipts");
            if (applications != appliedDuringRun.Count)
            {
                violations.Add($"{provider.ProviderId}: {applications} readings were created during the run for {appliedDuringRun.Count} request_ids applied: "
                    + $"{Math.Abs(applications - appliedDuringRun.Count)} {(applications > appliedDuringRun.Count ? "applied more than once (or under another request_id)" : "missing")}");
            }

            foreach (var replay in provider.Replays.Where(r => r.Call.Code == StatusCode.OK && r.Call.Write?.ReadingId != r.ReadingId))
            {
                violations.Add($"{replay.Call}: the desk was given reading {replay.Call.Write?.ReadingId}, the provider replays {replay.Code} {replay.ReadingId}");
            }

            foreach (var replay in appliedDuringRun.GroupBy(r => r.ReadingId).Where(g => g.Count() > 1))
            {
                violations.Add($"{provider.ProviderId}: one reading ({replay.Key}) for {replay.Count()} request_ids");
            }
        }

        return new RuleResult(
            "writes-once",
            "Writes applied once",
            $"{total} writes",
            violations.Count,
            [.. violations.Take(MaxExamples)],
            "after the load, a probe reading written directly to each provider gives its id counter; each desk write is then replayed at the provider with its "
            + "request_id (the provider answers the first result of a request_id it applied). Readings created during the run must equal the request_ids "
            + "applied, one reading each, and each write answered OK must replay the reading the desk was given. " + string.Join("; ", notes));
    }

    private static RuleResult Journals(ChaosEvidence evidence) =>
        new(
            "journals-verify",
            "Both gateways' journals verify (a torn tail after the SIGKILL allowed, as the verifier reports it)",
            $"{evidence.Gateways.Count} journals",
            evidence.Gateways.Count(g => g.VerifierExitCode != 0),
            [.. evidence.Gateways.Where(g => g.VerifierExitCode != 0).Select(g => $"gateway {g.Name}: exit {g.VerifierExitCode}: {Shorten(g.VerifierOutput)}")],
            "tools/journal/verify-journal.py JOURNAL --chain-key-file F --public-key PEM (the anchor file beside it read by default): "
            + string.Join(" | ", evidence.Gateways.Select(g => $"{g.Name}: exit {g.VerifierExitCode}: {Shorten(g.VerifierOutput)}")));

    private static RuleResult JournalMatchesMetric(ChaosEvidence evidence)
    {
        var violations = new List<string>();
        var lines = 0L;
        var differences = 0L;
        foreach (var gateway in evidence.Gateways)
        {
            var journal = gateway.JournalLines();
            lines += journal.Values.Sum();
            foreach (var key in journal.Keys.Union(gateway.Metric.Keys).OrderBy(k => k.Method).ThenBy(k => k.Code))
            {
                var (j, m) = (journal.GetValueOrDefault(key), gateway.Metric.GetValueOrDefault(key));
                if (j != m)
                {
                    differences += Math.Abs(j - m);
                    violations.Add($"gateway {gateway.Name} {key.Method} {key.Code}: {j} journal lines, metric {m}");
                }
            }
        }

        return new RuleResult(
            "journal-equals-metric",
            "Journal lines of personal-data calls = the gateway's own providergateway_desk_calls_total (personal-data methods)",
            $"{lines} journal lines of {evidence.Gateways.Count} gateways",
            (int)differences,
            [.. violations.Take(MaxExamples)],
            "per gateway and per (method, status); violations count the calls in the difference. The metric is scraped from the management endpoint "
            + "once it stops moving after the load, before the gateways are stopped. The killed gateway's metric starts again at its restart, so only "
            + "the journal lines written after the kill (from the file's length right after the SIGKILL: the restart's newline ending a torn line, "
            + "its resumed entry and checkpoint, then the new life's records) are compared; the lines of its first life are covered by the verifier only.");
    }

    private static RuleResult NoIin(ChaosEvidence evidence)
    {
        var texts = evidence.Gateways.Select(g => ($"gateway {g.Name} log (every life)", g.Log))
            .Concat(evidence.JournalFolders.SelectMany(f => Directory.EnumerateFiles(f)).Select(f => ($"{Path.GetFileName(Path.GetDirectoryName(f))}/{Path.GetFileName(f)}", File.ReadAllText(f))))
            .ToList();
        var violations = new List<string>();
        var found = 0;
        foreach (var (name, text) in texts)
        {
            var hits = evidence.Iins.Select((iin, index) => (index, count: Count(text, iin))).Where(h => h.count > 0).ToList();
            if (hits.Count > 0)
            {
                found += hits.Sum(h => h.count);
                violations.Add($"{name}: {hits.Sum(h => h.count)} IINs in clear ({string.Join(", ", hits.Select(h => $"citizen #{h.index} x{h.count}"))})");
            }
        }

        return new RuleResult(
            "no-iin",
            "No IIN in clear in any journal or log",
            $"{texts.Count} files and logs, {texts.Sum(t => (long)t.Item2.Length)} characters, {evidence.Iins.Count} seed IINs",
            found,
            [.. violations.Take(MaxExamples)],
            "every seed IIN searched in both gateways' output (every life) and every file of their journal folders (journal, anchor)");
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 300 ? line : line[..300] + "…";
    }
}
