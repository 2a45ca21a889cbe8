using Grpc.Core;
using ProviderGateway.AccessHistory;
using ProviderGateway.Consent;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Delivery;
using ProviderGateway.Districts;
using ProviderGateway.Overview;
using ProviderGateway.Pipeline;
using ProviderGateway.Validation;

namespace ProviderGateway.FrontDesk;

/// <summary>
/// The gRPC face of <c>providergateway.frontdesk.v1.FrontDeskService</c>. Every method runs inside
/// <see cref="FrontDeskCallGuard"/> (the desk-call count, access control, the journal), whichever way the call came
/// (native gRPC, gRPC-Web, JSON), then validates the request, hands it to the component that decides (overview,
/// fan-out lister, pipeline, directory) and translates between front-desk and provider messages; nothing else happens
/// here. The domain methods are in the partial files FrontDeskGrpcService.{Utilities,LandRegistry,SocialServices,Submissions,Consent,AccessHistory}.cs.
/// </summary>
public sealed partial class FrontDeskGrpcService(
    FrontDeskRequestValidator validator,
    DeskContextFactory deskContexts,
    CitizenOverviewService overview,
    FanOutLister lister,
    ProviderCallPipeline pipeline,
    ProviderDirectory directory,
    DistrictGuard districts,
    SubmissionDesk submissions,
    ConsentDesk consents,
    AccessHistoryDesk histories,
    FrontDeskCallGuard guard) : FrontDeskService.FrontDeskServiceBase
{
    /// <inheritdoc />
    public override Task<GetCitizenOverviewResponse> GetCitizenOverview(GetCitizenOverviewRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetCitizenOverviewCore(r, c));

    private Task<GetCitizenOverviewResponse> GetCitizenOverviewCore(GetCitizenOverviewRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        return overview.GetAsync(request.Iin, request.KatoCode, deskContexts.For(context));
    }

    /// <inheritdoc />
    public override Task StreamCitizenOverview(StreamCitizenOverviewRequest request, IServerStreamWriter<StreamCitizenOverviewResponse> responseStream, ServerCallContext context) =>
        guard.Run(this, request, context, (service, r, c) => service.StreamCitizenOverviewCore(r, responseStream, c));

    // The streamed overview's messages go out as they come; what it returns (the whole overview) is what the journal's
    // line names, as for GetCitizenOverview.
    private Task<GetCitizenOverviewResponse> StreamCitizenOverviewCore(
        StreamCitizenOverviewRequest request, IServerStreamWriter<StreamCitizenOverviewResponse> responseStream, ServerCallContext context)
    {
        validator.Validate(request);
        return overview.StreamAsync(request.Iin, request.KatoCode, deskContexts.For(context), responseStream);
    }

    /// <inheritdoc />
    public override Task<ListProvidersResponse> ListProviders(ListProvidersRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListProvidersCore(r, c));

    private Task<ListProvidersResponse> ListProvidersCore(ListProvidersRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        return Task.FromResult(directory.List(request, desk.Caller?.ClientId ?? "", desk.Language));
    }
}
