using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The shipped logging levels (the gateway's appsettings.json, which every test gateway runs with) write nothing per
/// call at Information: a flood of per-call lines costs CPU in production and was once 21 lines a desk call.
/// </summary>
public sealed class ShippedLoggingTests
{
    // Lines the gateway's background services write once when they start, which may come after StartAsync returned:
    // the consent authority's revocations followed (1300), the submission relay started (1209), the access history
    // caught up with the journal (4200). Not per call.
    private static readonly HashSet<int> StartUpEvents = [1300, 1209, 4200];

    [Fact]
    public async Task Under_the_shipped_configuration_desk_calls_write_no_log_line_at_Information_or_above()
    {
        var logs = new LogCounter();
        await using var gateway = await TestGateway.StartAsync(logs: logs);
        var startUp = logs.Lines.Count;
        var fresh = new Metadata { { "cache-control", "no-cache" } };
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Iin == "791028302728" && a.ProviderId == "alatau-power");

        for (var i = 0; i < 20; i++)
        {
            await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = "791028302728" }, i % 2 == 0 ? fresh : null);
            await gateway.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = "830417405126" });
            await gateway.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = "alatau-power", Iin = account.Iin, AccountNumber = account.AccountNumber });
            await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = "791028302729" }).ResponseAsync);
            await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());
        }

        var perCall = logs.Lines.Skip(startUp).Where(l => !StartUpEvents.Contains(l.EventId)).ToList();

        Assert.True(startUp > 0, "the start-up lines (addresses, journal) are Information and are seen by the counter");
        Assert.True(perCall.Count == 0, $"{perCall.Count} lines at Information or above for 100 desk calls: {string.Join(" | ", perCall.Select(l => $"{l.Level} {l.EventId} {l.Line}"))}");
    }
}
