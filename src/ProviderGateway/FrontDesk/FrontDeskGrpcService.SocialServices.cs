using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Delivery;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Social = ProviderGateway.Contracts.SocialServices.V1;

namespace ProviderGateway.FrontDesk;

/// <summary>The social services methods of the front desk.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<ListBenefitsResponse> ListBenefits(ListBenefitsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListBenefitsCore(r, c));

    private async Task<ListBenefitsResponse> ListBenefitsCore(ListBenefitsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        var page = await lister.ListAsync(
            ProviderOperations.SocialServices.ListBenefits,
            request.Iin,
            request.KatoCode,
            request.PageSize,
            request.PageToken,
            (size, token) => new Social.ListBenefitsRequest { Iin = request.Iin, PageSize = size, PageToken = token },
            answer => answer.NextPageToken,
            desk);

        var response = new ListBenefitsResponse { NextPageToken = page.NextPageToken };
        foreach (var outcome in page.Outcomes)
        {
            response.Sources.Add(outcome.ToSourceStatus(desk.Language));
            response.Benefits.AddRange(outcome.Response?.Benefits.Select(b => new ProvidedBenefit { ProviderId = outcome.Provider.Id, Benefit = b }) ?? []);
        }

        return response;
    }

    /// <inheritdoc />
    public override Task<ListBenefitPaymentsResponse> ListBenefitPayments(ListBenefitPaymentsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListBenefitPaymentsCore(r, c));

    private async Task<ListBenefitPaymentsResponse> ListBenefitPaymentsCore(ListBenefitPaymentsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.SocialServices.ListBenefitPayments,
            new Social.ListBenefitPaymentsRequest { Iin = request.Iin, BenefitId = request.BenefitId, PageSize = request.PageSize, PageToken = request.PageToken },
            deskContexts.For(context));
        return new ListBenefitPaymentsResponse { Payments = { answer.Payments }, NextPageToken = answer.NextPageToken, Source = source };
    }

    /// <inheritdoc />
    public override Task<CheckBenefitEligibilityResponse> CheckBenefitEligibility(CheckBenefitEligibilityRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.CheckBenefitEligibilityCore(r, c));

    private async Task<CheckBenefitEligibilityResponse> CheckBenefitEligibilityCore(CheckBenefitEligibilityRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.SocialServices.CheckEligibility,
            new Social.CheckEligibilityRequest { Iin = request.Iin, BenefitType = request.BenefitType },
            deskContexts.For(context));
        return new CheckBenefitEligibilityResponse
        {
            Eligible = answer.Eligible,
            Reasons = { answer.Reasons },
            EstimatedAmount = answer.EstimatedAmount,
            Source = source,
        };
    }

    /// <inheritdoc />
    public override Task<CreateBenefitApplicationResponse> CreateBenefitApplication(CreateBenefitApplicationRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.CreateBenefitApplicationCore(r, c));

    private async Task<CreateBenefitApplicationResponse> CreateBenefitApplicationCore(CreateBenefitApplicationRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var written = await submissions.WriteAsync(
            SubmittableWrites.BenefitApplication,
            request.ProviderId,
            request.KatoCode,
            new Social.CreateApplicationRequest
            {
                RequestId = request.RequestId,
                Iin = request.Iin,
                BenefitType = request.BenefitType,
                KatoCode = request.KatoCode,
            },
            request.RequestId,
            request.Iin,
            request.DeliveryMode,
            deskContexts.For(context));
        return new CreateBenefitApplicationResponse { Application = written.Answer?.Application, Source = written.Source, Submission = written.Submission };
    }

    /// <inheritdoc />
    public override Task<GetBenefitApplicationResponse> GetBenefitApplication(GetBenefitApplicationRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetBenefitApplicationCore(r, c));

    private async Task<GetBenefitApplicationResponse> GetBenefitApplicationCore(GetBenefitApplicationRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.SocialServices.GetApplication,
            new Social.GetApplicationRequest { Iin = request.Iin, ApplicationId = request.ApplicationId },
            deskContexts.For(context));
        return new GetBenefitApplicationResponse { Application = answer.Application, Source = source };
    }
}
