using System.Text.RegularExpressions;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.Tests.TestSupport;

/// <summary>The one helper every test and the chaos harness start processes with (bash stands in for the real programs).</summary>
public sealed class ChildProcessTests
{
    private static readonly Regex Ready = new(@"ready on (?<port>\d+)");

    private static ProcessCommand Bash(string script) => new("bash", ["-c", script]);

    [Fact]
    public async Task A_process_is_ready_at_its_ready_line_and_keeps_its_output_across_a_kill_and_a_restart()
    {
        // Both lines on one stream: lines of two pipes have no order, and the ready line could be read before "starting".
        await using var process = await ChildProcess.StartAsync("server", Bash("echo starting >&2; echo 'ready on 4242' >&2; sleep 30 & wait"), Ready);
        var firstPort = process.ReadyMatch.Groups["port"].Value;

        await process.KillAsync();
        var exitedAfterKill = process.HasExited;
        await process.StartAgainAsync();

        Assert.Equal("4242", firstPort);
        Assert.True(exitedAfterKill);
        Assert.False(process.HasExited);
        Assert.Equal(2, process.Lives);
        Assert.Equal(2, Regex.Count(process.Output, "starting"));
    }

    [Fact]
    public async Task A_process_that_exits_before_its_ready_line_fails_with_what_it_printed()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ChildProcess.StartAsync("broken", Bash("echo 'no config' >&2; exit 3"), Ready));

        Assert.Contains("exited with 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("no config", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_silent_past_its_deadline_is_killed_and_the_start_times_out()
    {
        var failure = await Assert.ThrowsAsync<TimeoutException>(() =>
            ChildProcess.StartAsync("silent", Bash("echo 'still loading'; sleep 30 & wait"), Ready, TimeSpan.FromMilliseconds(500)));

        Assert.Contains("still loading", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_so_a_process_can_end_cleanly_within_its_grace()
    {
        await using var process = await ChildProcess.StartAsync(
            "draining", Bash("trap 'echo draining; kill $!; exit 0' TERM; echo 'ready on 1'; sleep 30 & wait"), Ready);

        var stoppedInGrace = await process.StopAsync(TimeSpan.FromSeconds(10));

        Assert.True(stoppedInGrace);
        Assert.Contains("draining", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_returns_the_exit_code_and_both_streams_of_a_program_run_to_its_end()
    {
        var result = await ChildProcess.RunAsync(Bash("echo out; echo err >&2; exit 4"), TimeSpan.FromSeconds(30));

        Assert.Equal((4, "out\n", "err\n"), (result.ExitCode, result.Output, result.Error));
    }
}
