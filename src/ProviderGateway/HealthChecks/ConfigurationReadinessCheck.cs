using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// Readiness: the configuration as it is now (appsettings.json is reloaded when it changes) passes the
/// same validation as at start-up. An operator's broken edit makes the instance not ready, with every
/// problem named, until it is fixed: the instance keeps serving with the configuration it started with,
/// but a restart would fail, so the load balancer should not count on it. Each section is read through its
/// <see cref="IOptionsMonitor{TOptions}"/>, which binds the configuration as it is now and runs every validator of the
/// section (declared and hand-written), as start-up did.
/// </summary>
public sealed class ConfigurationReadinessCheck(IServiceProvider services) : IHealthCheck
{
    /// <summary>The registration name.</summary>
    public const string Name = "configuration";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        Validate<GatewayOptions>(GatewayOptions.SectionName, problems);
        Validate<CachingOptions>(CachingOptions.SectionName, problems);
        Validate<ResilienceOptions>(ResilienceOptions.SectionName, problems);
        Validate<SecurityOptions>(SecurityOptions.SectionName, problems);
        Validate<GatewayTelemetryOptions>(GatewayTelemetryOptions.SectionName, problems);
        Validate<BrowserDesksOptions>(BrowserDesksOptions.SectionName, problems);
        Validate<ShutdownOptions>(ShutdownOptions.SectionName, problems);
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("The configuration is valid.")
            : HealthCheckResult.Unhealthy("The configuration is invalid (the gateway runs with the one it started with; a restart would fail): " + string.Join(" ", problems)));
    }

    private void Validate<TOptions>(string section, List<string> problems)
        where TOptions : class
    {
        try
        {
            // A valid value is cached until the configuration changes; an invalid one is built (and refused) again each time.
            _ = services.GetRequiredService<IOptionsMonitor<TOptions>>().CurrentValue;
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (InvalidOperationException e)
        {
            // A value the binder cannot convert (a word where a number belongs).
            problems.Add($"{section}: {e.Message}");
        }
    }
}
