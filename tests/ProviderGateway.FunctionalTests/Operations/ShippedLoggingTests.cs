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
    [Fact]
    public async Task Under_the_shipped_configuration_desk_calls_write_no_log_line_at_Information_or_above()
    {
        var logs = new LogCounter();
        await using var gateway = await TestGateway.StartAsync(logs: logs);
        var startUp = logs[LogLevel.Information] + logs[LogLevel.Warning] + logs[LogLevel.Error];
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

        var perCall = logs[LogLevel.Information] + logs[LogLevel.Warning] + logs[LogLevel.Error] - startUp;

        Assert.True(startUp > 0, "the start-up lines (addresses, journal) are Information and are seen by the counter");
        Assert.True(perCall == 0, $"{perCall} lines at Information or above for 100 desk calls");
    }
}
