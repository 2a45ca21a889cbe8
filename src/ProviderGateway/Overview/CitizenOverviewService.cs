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
/// fails or runs out of time is reported in its own result; the others are unaffected. Whole
/// (<see cref="GetAsync"/>) or streamed as each provider answers (<see cref="StreamAsync"/>).
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
            Complete = results.All(IsComplete),
        };
        response.Results.AddRange(results);
        return response;
    }

    /// <summary>
    /// Streams the overview of a citizen (<paramref name="iin"/> already validated) to <paramref name="stream"/>: who will
    /// be asked, each provider's result as it completes, then completeness. Returns the whole overview (results in
    /// directory order), which is what the journal's line names.
    /// </summary>
    public async Task<GetCitizenOverviewResponse> StreamAsync(string iin, string katoCode, DeskContext desk, IAsyncStreamWriter<StreamCitizenOverviewResponse> stream)
    {
        // FAN OUT first, then announce: writing the first message does not delay any provider.
        var providers = router.FanOut(Domain.Unspecified, katoCode);
        using var bound = new DeskDeadlineScope(desk, time);
        var pending = new Task<ProviderResult>[providers.Length];
        var started = new OverviewStarted();
        for (var i = 0; i < providers.Length; i++)
        {
            pending[i] = FetchAsync(providers[i], iin, bound.Desk);
            started.Providers.Add(new ProviderRef { ProviderId = providers[i].Id, ProviderName = providers[i].NameIn(desk.Language), Domain = providers[i].Domain });
        }

        await stream.WriteAsync(new StreamCitizenOverviewResponse { Started = started }).ConfigureAwait(false);

        // EACH AS IT COMPLETES, one write at a time (a stream takes no concurrent writes).
        await foreach (var done in Task.WhenEach(pending).ConfigureAwait(false))
        {
            await stream.WriteAsync(new StreamCitizenOverviewResponse { Result = await done.ConfigureAwait(false) }).ConfigureAwait(false);
        }

        // FINISH: the same completeness rule as the overview's; the journal's overview in directory order.
        var response = new GetCitizenOverviewResponse
        {
            GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Complete = pending.All(p => IsComplete(p.Result)),
        };
        response.Results.AddRange(pending.Select(p => p.Result));
        await stream.WriteAsync(new StreamCitizenOverviewResponse
        {
            Finished = new OverviewFinished { Complete = response.Complete, GenerateTime = response.GenerateTime },
        }).ConfigureAwait(false);
        return response;
    }

    private static bool IsComplete(ProviderResult result) =>
        result.Source.Status.Code == (int)StatusCode.OK && result.Source.Freshness != Freshness.Stale;

    private Task<ProviderResult> FetchAsync(ProviderDescriptor provider, string iin, DeskContext desk) =>
        desk.Caller?.Consent is { } consent && !consent.Covers(provider.Domain)
            ? Task.FromResult(NotCovered(provider, desk.Language))
            : FetchCoveredAsync(provider, iin, desk);

    // A provider whose domain the citizen's consent does not cover is not asked: its result says so.
    private static ProviderResult NotCovered(ProviderDescriptor provider, string language) => new()
    {
        Source = ProviderOutcome<Util.ListAccountsResponse>.Failed(provider, ConsentErrors.NotCovered(provider.Id, ConsentScopes.Of(provider.Domain)), TimeSpan.Zero).ToSourceStatus(language),
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
        var result = new ProviderResult { Source = outcome.ToSourceStatus(desk.Language) };
        if (outcome.Response is { } answer)
        {
            setData(result, answer);
        }

        return result;
    }
}
