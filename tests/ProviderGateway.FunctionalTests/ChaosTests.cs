using ProviderGateway.Chaos;
using ProviderGateway.Chaos.Rules;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// The short form of the chaos run (tools/chaos/ProviderGateway.Chaos): nine demo providers, redis-server and two
/// gateways as processes, eight desk workers through about 36 s of faults (Redis killed and restarted, a provider killed,
/// one hanging, gateway B killed with SIGKILL and restarted on its journal, recovery). It runs once for the class; each
/// rule is its own test, failing with the calls that broke it (method, gateway, time, what was seen).
/// </summary>
[Collection(TimingCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(ChaosTests.ShortRun run, ITestOutputHelper output) : IClassFixture<ChaosTests.ShortRun>
{
    [Fact]
    public void No_call_ends_UNKNOWN_through_the_faults() => AssertHeld("no-unknown");

    [Fact]
    public void No_call_ends_INTERNAL_through_the_faults() => AssertHeld("no-internal");

    [Fact]
    public void Every_answer_comes_by_the_desks_deadline_plus_slack() => AssertHeld("on-time");

    [Fact]
    public void No_result_served_because_its_provider_failed_is_labelled_CACHED() => AssertHeld("stale-not-cached");

    [Fact]
    public void A_no_cache_call_is_answered_live_or_not_at_all() => AssertHeld("no-cache-live");

    [Fact]
    public void An_overview_with_a_stale_or_failed_source_is_not_complete() => AssertHeld("complete-false");

    [Fact]
    public void Every_stale_result_carries_an_ErrorInfo() => AssertHeld("stale-has-errorinfo");

    [Fact]
    public void Every_meter_reading_is_applied_once() => AssertHeld("writes-once");

    [Fact]
    public void Both_journals_verify_after_a_SIGKILL_and_a_restart() => AssertHeld("journals-verify");

    [Fact]
    public void Each_gateways_journal_lines_equal_its_desk_call_metric() => AssertHeld("journal-equals-metric");

    [Fact]
    public void No_IIN_appears_in_clear_in_the_journals_or_the_gateways_logs() => AssertHeld("no-iin");

    [Fact]
    public void The_run_drove_every_fault_with_calls_through_both_gateways()
    {
        var evidence = run.Result.Evidence;

        // Not a vacuous run: calls on both gateways, on B after its restart, answers served stale and deadlines met at the hanging provider.
        Assert.True(evidence.Calls.Count(c => c.Gateway == "A" && c.FromGateway) > 100, run.Report);
        Assert.True(evidence.Calls.Count(c => c.Gateway == "B" && c.FromGateway && c.Start > evidence.KilledGatewayDown.To) > 50, run.Report);
        var sources = evidence.Calls.SelectMany(c => c.Sources).ToList();
        Assert.Contains(sources, s => s.ProviderId == ChaosRun.DownProvider && s.Code != 0);
        Assert.Contains(sources, s => s.ProviderId == ChaosRun.HangingProvider && s.Code == (int)Grpc.Core.StatusCode.DeadlineExceeded);
        Assert.Contains(evidence.Calls, c => c.Method == "CreateMeterReading" && c.Code == Grpc.Core.StatusCode.OK);
        Assert.Equal(3, evidence.Timeline.Count(t => t.What.Contains("killed (SIGKILL)", StringComparison.Ordinal)));
        Assert.Equal(3, evidence.Timeline.Count(t => t.What.Contains("restarted", StringComparison.Ordinal)));
    }

    private void AssertHeld(string id)
    {
        var rule = run.Result.Rule(id);
        output.WriteLine(run.Report);
        Assert.True(rule.Passed, $"{rule.Title}: {rule.Violations} violations over {rule.Checked}.\n{string.Join("\n", rule.Examples)}\n{rule.Note}");
    }

    /// <summary>The short chaos run, made once for the class.</summary>
    public sealed class ShortRun : IAsyncLifetime
    {
        private ChaosResult? _result;

        /// <summary>The run's evidence and rules.</summary>
        public ChaosResult Result => _result ?? throw new InvalidOperationException("The chaos run did not complete.");

        /// <summary>The markdown report.</summary>
        public string Report { get; private set; } = "";

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            using var progress = new StringWriter();
            _result = await ChaosRun.RunAsync(ChaosOptions.Short(Repository.Root, Repository.Configuration), progress);
            Report = progress + "\n" + ChaosReport.Markdown(_result);

            // The gateways' output goes where the suite's IIN scan reads every gateway's log.
            foreach (var gateway in _result.Evidence.Gateways)
            {
                CapturedLogs.Append(gateway.Log);
            }
        }

        /// <inheritdoc />
        public Task DisposeAsync() => Task.CompletedTask;
    }
}
