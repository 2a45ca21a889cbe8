using System.Diagnostics.Metrics;
using ProviderGateway.Submissions;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Delivery;

/// <summary>
/// The metrics of durable submissions, on the gateway's meter: submissions accepted and finished (by provider, method and
/// final state), delivery attempts by outcome, and, from the relay's last count (<see cref="SubmissionBacklog"/>), the open
/// submissions by provider and state and the age of each provider's oldest undelivered one. Labels are configured names and
/// state and code names only.
/// </summary>
public sealed class SubmissionMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _attempts;

    /// <summary>Creates the instruments.</summary>
    public SubmissionMetrics(IMeterFactory meters, SubmissionBacklog backlog, TimeProvider time)
    {
        var meter = meters.Create(GatewayMetrics.MeterName);
        _accepted = meter.CreateCounter<long>(
            "providergateway.submissions.accepted",
            unit: "{submission}",
            description: "Writes stored to be delivered later (DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE), by provider and method.");
        _finished = meter.CreateCounter<long>(
            "providergateway.submissions.finished",
            unit: "{submission}",
            description: "Submissions that reached a final state, by provider, method and state (DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED).");
        _attempts = meter.CreateCounter<long>(
            "providergateway.submissions.delivery.attempts",
            unit: "{attempt}",
            description: "Delivery attempts by the relay, by provider, method and outcome (delivered, refused, retry).");
        meter.CreateObservableGauge(
            "providergateway.submissions.open",
            () => backlog.Current.Providers.SelectMany(p => new[]
            {
                new Measurement<long>(p.Accepted, new("provider", p.ProviderId), new("state", "ACCEPTED")),
                new Measurement<long>(p.OnDelivery, new("provider", p.ProviderId), new("state", "ON_DELIVERY")),
            }),
            unit: "{submission}",
            description: "Submissions not yet delivered, by provider and state, as the relay last counted them.");
        meter.CreateObservableGauge(
            "providergateway.submissions.oldest.age",
            () => backlog.Current.Providers.Select(p => new Measurement<double>((time.GetUtcNow() - p.OldestAcceptedAt).TotalSeconds, new KeyValuePair<string, object?>("provider", p.ProviderId))),
            unit: "s",
            description: "Age of each provider's oldest undelivered submission.");
    }

    /// <summary>A submission was stored.</summary>
    public void Accepted(string providerId, string method) =>
        _accepted.Add(1, new KeyValuePair<string, object?>("provider", providerId), new KeyValuePair<string, object?>("method", method));

    /// <summary>A delivery attempt ended: <c>delivered</c>, <c>refused</c> or <c>retry</c>.</summary>
    public void Attempt(string providerId, string method, string outcome) =>
        _attempts.Add(1, new KeyValuePair<string, object?>("provider", providerId), new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A submission reached a final state.</summary>
    public void Finished(string providerId, string method, string state) =>
        _finished.Add(1, new KeyValuePair<string, object?>("provider", providerId), new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("state", state));
}
