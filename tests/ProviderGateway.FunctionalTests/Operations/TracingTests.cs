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

    private static Activity DeskActivity()
    {
        var desk = new Activity("front-desk call");
        desk.SetIdFormat(ActivityIdFormat.W3C);
        desk.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return desk.Start();
    }
}
