using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// An instance stopped as an orchestrator stops it (SIGTERM to the gateway's own process): not ready at once, still
/// serving for the delay, then GOAWAY and no new connections, the calls in flight drained, the journal checkpointed, exit 0.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class GracefulShutdownTests
{
    private const int SigTerm = 15;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task On_SIGTERM_it_is_not_ready_at_once_serves_through_the_delay_then_drains_the_call_in_flight_and_exits_0()
    {
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "alatau-power");
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { ProviderIds = ["alatau-power"] });
        var provider = providers["alatau-power"];
        var journal = TestSecrets.NewJournalPath();
        await using var gateway = await StartAsync(provider, journal, notReadyDelay: TimeSpan.FromSeconds(3), drainTimeout: TimeSpan.FromSeconds(20));
        using var channel = GrpcChannel.ForAddress("http://" + gateway.GrpcAuthority);
        var desk = TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        // A call the provider takes 6 s to answer is in flight when SIGTERM arrives.
        provider.Faults.Latency = TimeSpan.FromSeconds(6);
        var slow = desk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, AccountNumber = account.AccountNumber, Iin = account.Iin },
            deadline: DateTime.UtcNow.AddSeconds(30));
        await Until(() => provider.Calls.Total >= 1, "the slow call reached the provider");
        var signalled = Stopwatch.StartNew();
        gateway.Signal(SigTerm);

        // Not ready at once; still serving a new call, on the connection it has.
        await Until(async () => (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz answered 503");
        var notReadyAfter = signalled.Elapsed;
        var duringDelay = await desk.ListProvidersAsync(new ListProvidersRequest());
        Assert.NotEmpty(duringDelay.Providers);
        Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(3), $"the call in the delay was answered {signalled.Elapsed.TotalSeconds:0.0} s after SIGTERM, past the delay");

        // After the delay: no new connection is accepted (asked on a new connection each time, until one is refused), while
        // the call in flight still runs.
        await Until(async () =>
        {
            using var late = GrpcChannel.ForAddress("http://" + gateway.GrpcAuthority);
            try
            {
                await TestGateway.ClientWith(late, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose).ListProvidersAsync(new ListProvidersRequest());
                return false;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.Unavailable)
            {
                return true;
            }
        }, "a new connection was refused");
        Assert.False(slow.ResponseAsync.IsCompleted, "the slow call ended before the instance stopped accepting");

        var balance = await slow;
        var exitCode = await gateway.WaitForExitAsync(Generous);

        Assert.True(notReadyAfter < TimeSpan.FromSeconds(2), $"/readyz said 503 only {notReadyAfter.TotalSeconds:0.0} s after SIGTERM");
        Assert.Equal(account.AccountNumber, balance.Balance.AccountNumber);
        Assert.Equal(Freshness.Live, balance.Source.Freshness);
        Assert.Equal(0, exitCode);
        Assert.Contains("sending GOAWAY frame", gateway.Log, StringComparison.Ordinal);   // Kestrel's HTTP/2 frame log
        Assert.Contains("Stopped: the journal written and checkpointed", gateway.Log, StringComparison.Ordinal);
        var lines = File.ReadAllLines(journal);
        Assert.StartsWith("{\"checkpoint\":", lines[^1], StringComparison.Ordinal);
        Assert.Contains(JournalFile.Entries(journal), e => e.GetProperty("method").GetString() == "GetUtilityAccountBalance" && e.GetProperty("result").GetString() == "OK");
        var verified = await JournalFile.VerifyAsync(journal);
        Assert.True(verified.ExitCode == 0, verified.Output);
    }

    [Fact]
    public async Task A_call_still_running_at_the_drain_timeout_is_ended_and_the_instance_exits_0_with_its_journal_checkpointed()
    {
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "alatau-power");
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { ProviderIds = ["alatau-power"] });
        var provider = providers["alatau-power"];
        var journal = TestSecrets.NewJournalPath();
        await using var gateway = await StartAsync(provider, journal, notReadyDelay: TimeSpan.Zero, drainTimeout: TimeSpan.FromSeconds(1));
        using var channel = GrpcChannel.ForAddress("http://" + gateway.GrpcAuthority);
        var desk = TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        await desk.ListProvidersAsync(new ListProvidersRequest());

        provider.Faults.Hang = true;
        var hung = desk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, AccountNumber = account.AccountNumber, Iin = account.Iin },
            deadline: DateTime.UtcNow.AddSeconds(60));
        await Until(() => provider.Calls.Total >= 1, "the hung call reached the provider");
        var signalled = Stopwatch.StartNew();
        gateway.Signal(SigTerm);
        var exitCode = await gateway.WaitForExitAsync(Generous);
        var stoppedAfter = signalled.Elapsed;

        var ended = await Assert.ThrowsAsync<RpcException>(() => hung.ResponseAsync);
        Assert.Equal(0, exitCode);
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(15), $"stopped {stoppedAfter.TotalSeconds:0.0} s after SIGTERM with a 1 s drain timeout");
        Assert.NotEqual(StatusCode.OK, ended.StatusCode);
        Assert.StartsWith("{\"checkpoint\":", File.ReadAllLines(journal)[^1], StringComparison.Ordinal);
        var verified = await JournalFile.VerifyAsync(journal);
        Assert.True(verified.ExitCode == 0, verified.Output);
    }

    [Fact]
    public async Task A_second_SIGTERM_ends_the_instance_at_once()
    {
        await using var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { ProviderIds = ["alatau-power"] });
        await using var gateway = await StartAsync(providers["alatau-power"], TestSecrets.NewJournalPath(), notReadyDelay: TimeSpan.FromMinutes(5), drainTimeout: TimeSpan.FromMinutes(5));

        gateway.Signal(SigTerm);
        await Until(() => gateway.Log.Contains("SIGTERM: stopping", StringComparison.Ordinal), "the first SIGTERM was taken");
        gateway.Signal(SigTerm);
        var exitCode = await gateway.WaitForExitAsync(Generous);

        Assert.Equal(128 + SigTerm, exitCode);
    }

    private static Task<GatewayProcess> StartAsync(DemoProviderServer provider, string journal, TimeSpan notReadyDelay, TimeSpan drainTimeout)
    {
        var settings = GatewaySettings.ForTests(journal)
            .WithProvider(new ConfiguredProvider(provider.ProviderId, "utilities", provider.Address, [], Deadline: TimeSpan.FromSeconds(50)).WriteTo)
            .WithShutdown(notReadyDelay, drainTimeout);
        settings["Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.Http2"] = "Trace";
        return GatewayProcess.StartAsync(settings);
    }

    // Waits for a condition the test cannot be told of (another process's state), polling; fails after 20 s.
    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"Not within 20 s: {what}.");
            }

            await Task.Delay(20);
        }
    }
}
