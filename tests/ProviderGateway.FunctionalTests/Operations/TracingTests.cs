using System.Diagnostics;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// W3C trace context from the desk, through the gateway, to the providers. The desk here is a traced
/// client: its call runs inside an activity, and its HTTP/2 client sends that trace as <c>traceparent</c>
/// (in this process, any explicit header would be replaced by the client's own, as a traced desk's is).
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task The_trace_id_a_desk_sends_reaches_the_provider()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts[0];
        using var desk = DeskActivity();

        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });

        var received = gateway.EmbeddedProviders[account.ProviderId].LastTraceParent;
        Assert.NotNull(received);
        Assert.Equal(desk.TraceId.ToHexString(), received!.Split('-')[1]);
        Assert.NotEqual(desk.SpanId.ToHexString(), received.Split('-')[2]); // the gateway's own span is the provider's parent
    }

    [Fact]
    public async Task An_overview_carries_the_desks_trace_id_to_every_provider_it_asks()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var desk = DeskActivity();

        await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[1].Iin });

        Assert.All(gateway.EmbeddedProviders.Servers, server => Assert.Equal(desk.TraceId.ToHexString(), server.LastTraceParent?.Split('-')[1]));
    }

    [Fact]
    public async Task The_gateway_process_passes_the_traceparent_a_desk_sends_on_to_a_provider_process()
    {
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "alatau-power");
        await using var provider = await StandaloneProvider.StartAsync("alatau-power");
        await using var gateway = await GatewayProcess.StartAsync(GatewayProcess.SettingsFor(
            [new ConfiguredProvider("alatau-power", "utilities", provider.Address, [])]));
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traceParent = $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

        var balance = await ScriptRunner.RunAsync(
            gateway.GrpcAuthority,
            new Dictionary<string, string> { ["PG_API_KEY"] = TestSecrets.ApiKey, ["GRPC_HEADERS"] = "traceparent: " + traceParent },
            "account-balance.sh",
            account.ProviderId,
            account.AccountNumber,
            account.Iin);

        Assert.True(balance.ExitCode == 0, balance.Error);
        var received = await provider.LastTraceParentAsync();
        Assert.NotNull(received);
        Assert.Equal(traceId, received!.Split('-')[1]);
    }

    private static Activity DeskActivity()
    {
        var desk = new Activity("front-desk call");
        desk.SetIdFormat(ActivityIdFormat.W3C);
        desk.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return desk.Start();
    }
}
