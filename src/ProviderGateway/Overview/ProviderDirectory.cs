using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Paging;
using ProviderGateway.Core;
using ProviderGateway.HealthChecks;
using ProviderGateway.Paging;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using ProviderGateway.Routing;
using PollyCircuitState = Polly.CircuitBreaker.CircuitState;

namespace ProviderGateway.Overview;

/// <summary>
/// The provider directory the desks see: configured providers filtered by domain and district, paged, each
/// with what the gateway knows of its health: the latest active probe, live traffic over the recent window
/// (passive), and its circuit breaker.
/// </summary>
public sealed class ProviderDirectory(
    ProviderRouter router,
    PageTokens tokens,
    ProviderHealthMonitor monitor,
    PassiveHealthTracker passive,
    ProviderResilience resilience)
{
    /// <summary>Lists one page of the directory (<paramref name="request"/> already validated) for the client <paramref name="clientId"/>.</summary>
    public ListProvidersResponse List(ListProvidersRequest request, string clientId, string language = "")
    {
        var matching = router.FanOut(request.Domain, request.KatoCode);
        var binding = new PageTokenBinding(clientId, "ListProviders", ((int)request.Domain).ToString(CultureInfo.InvariantCulture), request.KatoCode);
        var offset = request.PageToken.Length == 0 ? 0 : DecodeOffset(request.PageToken, binding, matching.Length);
        var page = matching.Skip(offset).Take(PageSize.Resolve(request.PageSize));

        var response = new ListProvidersResponse();
        response.Providers.AddRange(page.Select(p => Describe(p, language)));
        var nextOffset = offset + response.Providers.Count;
        response.NextPageToken = nextOffset < matching.Length
            ? tokens.Issue(binding, [new ProviderCursor("", nextOffset.ToString(CultureInfo.InvariantCulture))])
            : "";
        return response;
    }

    private ProviderInfo Describe(ProviderDescriptor provider, string language)
    {
        var info = new ProviderInfo
        {
            ProviderId = provider.Id,
            DisplayName = provider.NameIn(language),
            Domain = provider.Domain,
            KatoCodes = { provider.KatoCodes },
            Deadline = Duration.FromTimeSpan(provider.Deadline),
            MaxConcurrentCalls = provider.MaxConcurrentCalls,
            CircuitState = resilience.CircuitStateOf(provider) switch
            {
                PollyCircuitState.Closed => CircuitState.Closed,
                PollyCircuitState.HalfOpen => CircuitState.HalfOpen,
                PollyCircuitState.Open or PollyCircuitState.Isolated => CircuitState.Open,
                _ => CircuitState.Unspecified,
            },
        };
        if (monitor.LatestOf(provider.Id) is { } probe)
        {
            info.Health = probe.Health;
            info.HealthCheckTime = Timestamp.FromDateTimeOffset(probe.CheckTime);
        }

        var traffic = passive.ReportOf(provider.Id);
        info.PassiveHealth = new PassiveHealth
        {
            Window = Duration.FromTimeSpan(traffic.Window),
            Calls = traffic.Calls,
            Failures = traffic.Failures,
            LastFailureTime = traffic.LastFailureTime is { } failed ? Timestamp.FromDateTimeOffset(failed) : null,
            LastFailureCode = traffic.LastFailureCode is { } code ? GrpcStatusNames.Name(code) : "",
        };
        return info;
    }

    private int DecodeOffset(string token, PageTokenBinding binding, int count)
    {
        var cursors = tokens.Open(token, binding);
        return cursors is [{ ProviderId: "", Token: var value }]
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && offset <= count
            ? offset
            : throw PageTokens.Invalid();
    }
}
