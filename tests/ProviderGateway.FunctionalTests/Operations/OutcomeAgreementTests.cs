using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>The journal and the desk-call metric record the same outcome for every personal-data call, cancelled ones included.</summary>
[Collection(MetricsCollection.Name)]
public sealed class OutcomeAgreementTests
{
    [Fact]
    public async Task Answered_refused_timed_out_and_cancelled_calls_are_journaled_with_the_status_the_metric_counts()
    {
        var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithDefaultProviderDeadline(TimeSpan.FromSeconds(30)));
        Dictionary<string, double> counted;
        var lines = "";
        await using (gateway)
        {
            var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "regional-water");
            var balance = new GetUtilityAccountBalanceRequest { ProviderId = "regional-water", Iin = account.Iin, AccountNumber = account.AccountNumber };
            await gateway.FrontDesk.GetUtilityAccountBalanceAsync(balance);                                                  // OK
            await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = "791028302729" }).ResponseAsync); // INVALID_ARGUMENT
            gateway.EmbeddedProviders["regional-water"].Faults.Hang = true;
            var fresh = new Metadata { { "cache-control", "no-cache" } };
            await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(balance, fresh, DateTime.UtcNow.AddMilliseconds(400)).ResponseAsync); // DEADLINE_EXCEEDED
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(balance, fresh, cancellationToken: cancel.Token).ResponseAsync); // CANCELLED
            }

            // The cancelled call ends on the server once its provider call is cancelled: wait for its count.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            do
            {
                using var http = new HttpClient();
                lines = string.Join("\n", (await http.GetStringAsync(new Uri(gateway.ManagementAddress, "/metrics"))).Split('\n').Where(l => l.StartsWith("providergateway_desk_calls", StringComparison.Ordinal)));
                counted = (await PrometheusScrape.FromAsync(gateway.ManagementAddress)).Series("providergateway_desk_calls_total")
                    .Where(s => s.Labels["method"] != "ListProviders")
                    .GroupBy(s => s.Labels["code"])
                    .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
            }
            while (counted.GetValueOrDefault("CANCELLED") < 1 && DateTime.UtcNow < deadline);
        }

        var journaled = JournalFile.Entries(gateway.JournalPath).GroupBy(e => e.GetProperty("result").GetString()!).ToDictionary(g => g.Key, g => (double)g.Count());

        Assert.True(counted.OrderBy(c => c.Key).SequenceEqual(journaled.OrderBy(j => j.Key)), lines);
        Assert.Equal(["CANCELLED", "DEADLINE_EXCEEDED", "INVALID_ARGUMENT", "OK"], journaled.Keys.Order());
    }
}
