using ProviderGateway.Configuration;
using ProviderGateway.Delivery;

namespace ProviderGateway.Tests.Delivery;

public sealed class SubmissionBackoffTests
{
    private static readonly SubmissionOptions Options = new() { FirstRetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromMinutes(5) };

    [Fact]
    public void A_submission_no_attempt_reached_is_due_at_once()
    {
        Assert.Equal(TimeSpan.Zero, SubmissionBackoff.Delay(Options, 0));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(8, 256)]
    [InlineData(9, 300)]
    [InlineData(50, 300)]
    public void The_wait_doubles_with_each_attempt_up_to_the_maximum_with_equal_jitter(int attempts, int fullSeconds)
    {
        var delays = Enumerable.Range(0, 2000).Select(_ => SubmissionBackoff.Delay(Options, attempts)).ToList();

        // Equal jitter: half the delay fixed, the other half spread, so retries of many submissions do not come together.
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, fullSeconds / 2.0, fullSeconds));
        Assert.True(delays.Distinct().Count() > 1000, "the jitter does not spread the waits");
        Assert.InRange(delays.Average(d => d.TotalSeconds), fullSeconds * 0.7, fullSeconds * 0.8);
    }
}
