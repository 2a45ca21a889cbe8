using ProviderGateway.Resilience;

namespace ProviderGateway.Tests.Resilience;

public sealed class RetryBudgetTests
{
    [Fact]
    public void During_an_outage_retries_add_at_most_the_ratio_to_the_calls_plus_what_was_banked()
    {
        var clock = new ManualClock();
        var budget = new RetryBudget(ratio: 0.5, minimumPerSecond: 0, clock);

        // Every call fails and would like four retries; no time passes, so the floor adds nothing.
        var granted = 0;
        for (var call = 0; call < 1000; call++)
        {
            budget.OnCall();
            for (var retry = 0; retry < 4 && budget.TryRetry(); retry++)
            {
                granted++;
            }
        }

        Assert.InRange(granted, 500, 500 + budget.Capacity);
        Assert.Equal(granted, budget.Retries);
        Assert.True(budget.Refused >= 800);
    }

    [Fact]
    public void The_floor_refills_with_time_for_quiet_providers()
    {
        var clock = new ManualClock();
        var budget = new RetryBudget(ratio: 0, minimumPerSecond: 5, clock);
        Assert.Equal(100, budget.Capacity);
        while (budget.TryRetry())
        {
            // Spend what was banked at start.
        }

        var afterNoTime = budget.TryRetry();
        clock.Advance(TimeSpan.FromSeconds(1));
        var afterOneSecond = Enumerable.Range(0, 10).Count(_ => budget.TryRetry());

        Assert.False(afterNoTime);
        Assert.Equal(5, afterOneSecond);
    }

    [Fact]
    public void A_flaky_provider_gets_the_retries_it_needs_when_they_stay_under_the_ratio()
    {
        var budget = new RetryBudget(ratio: 0.5, minimumPerSecond: 0, new ManualClock());
        var random = new Random(7);
        var refused = 0;
        for (var call = 0; call < 10_000; call++)
        {
            budget.OnCall();
            for (var attempt = 0; attempt < 5 && random.NextDouble() < 0.3; attempt++)
            {
                if (!budget.TryRetry())
                {
                    refused++;
                    break;
                }
            }
        }

        Assert.True(refused < 50, $"{refused} retries refused");
    }
}
