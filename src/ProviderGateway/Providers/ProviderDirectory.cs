using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Paging;
using ProviderGateway.Paging;
using ProviderGateway.Routing;

namespace ProviderGateway.Providers;

/// <summary>
/// The provider directory the desks see: configured providers filtered by domain and district, paged,
/// each with its health checked for this answer (in parallel, bounded by the health check timeout).
/// </summary>
public sealed class ProviderDirectory(ProviderRouter router, ProviderHealthProbe probe)
{
    /// <summary>Lists one page of the directory (<paramref name="request"/> already validated).</summary>
    public async Task<ListProvidersResponse> ListAsync(ListProvidersRequest request, CancellationToken cancellationToken)
    {
        var matching = router.FanOut(request.Domain, request.KatoCode);
        var scope = FanOutPageToken.Scope("ListProviders", ((int)request.Domain).ToString(CultureInfo.InvariantCulture), request.KatoCode);
        var offset = request.PageToken.Length == 0 ? 0 : DecodeOffset(request.PageToken, scope);
        var page = matching.Skip(offset).Take(PageSize.Resolve(request.PageSize)).ToList();

        var reports = await Task.WhenAll(page.Select(p => probe.CheckAsync(p, cancellationToken))).ConfigureAwait(false);

        var response = new ListProvidersResponse();
        for (var i = 0; i < page.Count; i++)
        {
            response.Providers.Add(Describe(page[i], reports[i]));
        }

        var nextOffset = offset + page.Count;
        response.NextPageToken = nextOffset < matching.Length
            ? FanOutPageToken.Encode(scope, [new ProviderCursor("", nextOffset.ToString(CultureInfo.InvariantCulture))])
            : "";
        return response;
    }

    private static ProviderInfo Describe(ProviderDescriptor provider, ProviderHealthReport report) => new()
    {
        ProviderId = provider.Id,
        DisplayName = provider.DisplayName,
        Domain = provider.Domain,
        KatoCodes = { provider.KatoCodes },
        Health = report.Health,
        HealthCheckTime = Timestamp.FromDateTimeOffset(report.CheckTime),
        Deadline = Duration.FromTimeSpan(provider.Deadline),
    };

    private static int DecodeOffset(string token, string scope)
    {
        var cursors = FanOutPageToken.Decode(token, scope);
        return cursors is [{ Token: var value }] && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : throw RpcErrors.InvalidArgument("page_token", "page_token was not issued for this listing.", "PAGE_TOKEN_INVALID");
    }
}
