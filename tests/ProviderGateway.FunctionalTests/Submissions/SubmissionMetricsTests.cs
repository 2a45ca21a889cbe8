using Microsoft.Data.Sqlite;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>
/// The submissions' metrics and readiness, read from a gateway's scrape: in the metrics collection, since OpenTelemetry
/// would show other gateways' series of the same test process in it.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class SubmissionMetricsTests() : SubmissionTestBase("pg-submission-metrics-")
{

    [Fact]
    public async Task Readiness_is_degraded_while_a_submission_waits_too_long_and_the_metrics_count_submissions()
    {
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, [])],
            new GatewaySettings().WithSubmissions(s => s.Sqlite(Path.Combine(Folder, "submissions.db")).RetryDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)).PollInterval(TimeSpan.FromMilliseconds(100)).DegradedAfter(TimeSpan.FromSeconds(1))));
        using var http = new HttpClient { BaseAddress = gateway.ManagementAddress };
        Power.Faults.Down = true;
        var receipt = (await gateway.FrontDesk.CreateMeterReadingAsync(MeterReadings.For(Power.ProviderId).First().Accepting())).Submission;

        string? degraded = null;
        await SubmissionDeliveryTests.WaitForAsync(
            () =>
            {
                // The only utilities provider is down, so /readyz is 503 for that; the submissions check is read in its report.
                using var answer = http.GetAsync("/readyz").GetAwaiter().GetResult();
                var report = System.Text.Json.JsonDocument.Parse(answer.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement;
                var check = report.GetProperty("checks").GetProperty("submissions");
                degraded = check.GetProperty("status").GetString() == "Degraded" ? check.GetProperty("description").GetString() : null;
                return degraded is not null;
            },
            "readiness Degraded by the waiting submission");
        var metrics = await http.GetStringAsync("/metrics");
        Power.Faults.Down = false;
        await SubmissionDeliveryTests.WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered);

        Assert.Contains(Power.ProviderId, degraded);
        var submissionLines = string.Join('\n', metrics.Split('\n').Where(l => l.Contains("submissions", StringComparison.Ordinal)));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, "providergateway_submissions_accepted_total\\{[^}]*provider=\"alatau-power\"[^}]*\\} [1-9]"), submissionLines);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, "providergateway_submissions_open\\{[^}]*provider=\"alatau-power\",state=\"ON_DELIVERY\"\\} 1"), submissionLines);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, "providergateway_submissions_oldest_age_seconds\\{[^}]*provider=\"alatau-power\"\\} [0-9]"), submissionLines);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, "providergateway_submissions_delivery_attempts_total\\{[^}]*outcome=\"retry\",provider=\"alatau-power\"\\} [1-9]"), submissionLines);
        Assert.DoesNotContain(MeterReadings.For(Power.ProviderId).First().Request.Iin, metrics);
    }
}
