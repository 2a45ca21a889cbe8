using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Waits end with the desk's deadline, whatever is waited for. The reproduction of INTERNAL at the deadline: one provider
/// hangs (its own deadline longer than the desk's), and rounds of 16 concurrent identical first-time overviews queue on
/// the cache's per-key lock behind one provider call. The client sends its deadline as grpc-timeout but waits longer
/// itself, so an answer that came late is seen late instead of being cut off by the client.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DeadlineTests
{
    private static readonly TimeSpan DeskDeadline = TimeSpan.FromSeconds(3);

    // Generous for two shared cores: the gateway aims to answer 240 ms (8% of the desk's time, DeadlineMarginShare) before the deadline.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Concurrent_first_time_overviews_while_a_provider_hangs_all_end_before_the_deadline_and_none_is_INTERNAL()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithDefaultProviderDeadline(TimeSpan.FromSeconds(30)));
        gateway.EmbeddedProviders["teplo-service"].Faults.Hang = true;
        using var calls = new RawDeskCalls(gateway);
        var headers = new Dictionary<string, string>
        {
            ["x-api-key"] = TestSecrets.ApiKey,
            ["x-operator-id"] = TestSecrets.OperatorId,
            ["x-access-purpose"] = TestSecrets.Purpose,
            ["grpc-timeout"] = $"{(int)DeskDeadline.TotalMilliseconds}m",
        };
        // Citizens of the districts teplo-service serves (Karasai, Taldykorgan): a first-time overview each round.
        var citizens = DemoData.Seed.Citizens.Where(c => c.KatoCode is "195200000" or "331000000").Take(3).ToList();
        var results = new List<(DeskOutcome Outcome, GetCitizenOverviewResponse? Overview, TimeSpan Elapsed)>();

        foreach (var citizen in citizens)
        {
            var round = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                var clock = Stopwatch.StartNew();
                var (outcome, overview) = await calls.CallAsync<GetCitizenOverviewResponse>(
                    "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview", new GetCitizenOverviewRequest { Iin = citizen.Iin }, headers);
                return (outcome, overview, clock.Elapsed);
            }));
            results.AddRange(round);
        }

        Assert.Equal(48, results.Count);
        Assert.All(results, r => Assert.True(r.Outcome.Code == StatusCode.OK, $"the overview ended {r.Outcome} after {r.Elapsed.TotalMilliseconds:F0} ms"));
        Assert.All(results, r => Assert.True(r.Elapsed < DeskDeadline + Slack, $"answered after {r.Elapsed.TotalMilliseconds:F0} ms, the deadline being {DeskDeadline.TotalMilliseconds:F0} ms"));
        var hanging = results.Select(r => r.Overview!.Results.Single(p => p.Source.ProviderId == "teplo-service")).ToList();
        Assert.All(hanging, r => Assert.Equal(((int)StatusCode.DeadlineExceeded, "PROVIDER_DEADLINE_EXCEEDED"), (r.Source.Status.Code, r.Source.Status.GetDetail<ErrorInfo>()?.Reason)));
        Assert.All(results, r => Assert.False(r.Overview!.Complete));
        Assert.All(results.SelectMany(r => r.Overview!.Results).Where(p => p.Source.ProviderId != "teplo-service"), p => Assert.Equal(0, p.Source.Status.Code));
    }
}
