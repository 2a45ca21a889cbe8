using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Districts;
using ProviderGateway.Errors;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Routing;
using Land = ProviderGateway.Contracts.LandRegistry.V1;
using Social = ProviderGateway.Contracts.SocialServices.V1;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Overview;

/// <summary>
/// The citizen overview: asks every relevant provider, in parallel, for the first page of what it
/// holds about the citizen, and merges the answers into one result per provider. A provider that
/// fails or runs out of time is reported in its own result; the others are unaffected.
/// </summary>
public sealed class CitizenOverviewService(
    ProviderRouter router,
    DistrictGuard districts,
    ProviderCallPipeline pipeline,
    IOptions<GatewayOptions> options,
    TimeProvider time)
{
    private readonly int _pageSize = options.Value.OverviewPageSize;

    /// <summary>Builds the overview of a citizen (<paramref name="iin"/> already validated).</summary>
    public async Task<GetCitizenOverviewResponse> GetAsync(string iin, string katoCode, DeskContext desk)
    {
        // FAN OUT: every provider of every domain serving the district, at once, all bound by the desk's deadline.
        var providers = router.FanOut(Domain.Unspecified, katoCode);
        using var bound = new DeskDeadlineScope(desk, time);
        var results = await Task.WhenAll(providers.Select(p => FetchAsync(p, iin, bound.Desk))).ConfigureAwait(false);

        // MERGE: one result per provider, in directory order.
        var response = new GetCitizenOverviewResponse
        {
            GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Complete = results.All(r => r.Source.Status.Code == (int)StatusCode.OK && r.Source.Freshness != Freshness.Stale),
        };
        response.Results.AddRange(results);
        return response;
    }

    private Task<ProviderResult> FetchAsync(ProviderDescriptor provider, string iin, DeskContext desk) =>
        desk.Caller?.Consent is { } consent && !consent.Covers(provider.Domain)
            ? Task.FromResult(NotCovered(provider))
            : FetchCoveredAsync(provider, iin, desk);

    // A provider whose domain the citizen's consent does not cover is not asked: its result says so.
    private static ProviderResult NotCovered(ProviderDescriptor provider) => new()
    {
        Source = ProviderOutcome<Util.ListAccountsResponse>.Failed(provider, ConsentErrors.NotCovered(provider.Id, ConsentScopes.Of(provider.Domain)), TimeSpan.Zero).ToSourceStatus(),
    };

    private Task<ProviderResult> FetchCoveredAsync(ProviderDescriptor provider, string iin, DeskContext desk) => provider.Domain switch
    {
        Domain.Utilities => FetchAsync(
            provider,
            ProviderOperations.Utilities.ListAccounts,
            new Util.ListAccountsRequest { Iin = iin, PageSize = _pageSize },
            desk,
            (result, answer) => result.Utilities = new UtilitiesOverview { Accounts = { districts.Visible(desk, answer.Accounts) }, HasMore = answer.NextPageToken.Length > 0 }),
        Domain.LandRegistry => FetchAsync(
            provider,
            ProviderOperations.LandRegistry.ListParcels,
            new Land.ListParcelsRequest { Iin = iin, PageSize = _pageSize },
            desk,
            (result, answer) => result.LandRegistry = new LandRegistryOverview { Parcels = { districts.Visible(desk, answer.Parcels) }, HasMore = answer.NextPageToken.Length > 0 }),
        Domain.SocialServices => FetchAsync(
            provider,
            ProviderOperations.SocialServices.ListBenefits,
            new Social.ListBenefitsRequest { Iin = iin, PageSize = _pageSize },
            desk,
            (result, answer) => result.SocialServices = new SocialServicesOverview { Benefits = { answer.Benefits }, HasMore = answer.NextPageToken.Length > 0 }),
        _ => throw new InvalidOperationException($"Provider {provider.Id} has no domain."),
    };

    private async Task<ProviderResult> FetchAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        DeskContext desk,
        Action<ProviderResult, TResponse> setData)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse>
    {
        var outcome = await pipeline.CallAsync(provider, operation, request, desk).ConfigureAwait(false);
        var result = new ProviderResult { Source = outcome.ToSourceStatus() };
        if (outcome.Response is { } answer)
        {
            setData(result, answer);
        }

        return result;
    }
}
