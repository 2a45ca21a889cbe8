using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.DemoProviders.Data;
using ProviderGateway.DemoProviders.Logging;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.DemoProviders.Services;

/// <summary>
/// The demo implementation of <c>providergateway.socialservices.v1.SocialServicesService</c> for one
/// social services provider: benefits from the seed, simple eligibility rules, and applications that
/// are accepted as SUBMITTED.
/// </summary>
public sealed class SocialServicesDemoService(DemoDataStore store, DemoFaults faults, ILogger<SocialServicesDemoService> logger)
    : SocialServicesService.SocialServicesServiceBase
{
    /// <inheritdoc />
    public override Task<ListBenefitsResponse> ListBenefits(ListBenefitsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (benefits, next) = store.PageTokens.Page(
            store.ListBenefits(request.Iin), request.PageSize, request.PageToken, $"ListBenefits|{request.Iin}");
        return Task.FromResult(new ListBenefitsResponse { Benefits = { benefits }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<ListBenefitPaymentsResponse> ListBenefitPayments(ListBenefitPaymentsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.ResourceId("benefit_id", request.BenefitId, "a benefit id");
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (payments, next) = store.PageTokens.Page(
            store.ListBenefitPayments(request.Iin, request.BenefitId),
            request.PageSize,
            request.PageToken,
            $"ListBenefitPayments|{request.Iin}|{request.BenefitId}");
        return Task.FromResult(new ListBenefitPaymentsResponse { Payments = { payments }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<CheckEligibilityResponse> CheckEligibility(CheckEligibilityRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        CheckBenefitType(violations, request.BenefitType);
        violations.ThrowIfAny();

        return Task.FromResult(store.CheckEligibility(request.Iin, request.BenefitType));
    }

    /// <inheritdoc />
    public override Task<CreateApplicationResponse> CreateApplication(CreateApplicationRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.RequestId("request_id", request.RequestId);
        violations.Iin("iin", request.Iin);
        CheckBenefitType(violations, request.BenefitType);
        violations.KatoCode("kato_code", request.KatoCode);
        violations.ThrowIfAny();

        var application = store.CreateApplication(request, GatewayClient.Of(context), out var replayed);
        if (replayed)
        {
            DemoProviderLog.WriteReplayed(logger, nameof(CreateApplication));
        }
        else
        {
            DemoProviderLog.ApplicationSubmitted(logger, application.ApplicationId, application.BenefitType);
        }

        LostWriteAnswers.ThrowIfLost(faults, store, logger, nameof(CreateApplication));
        return Task.FromResult(new CreateApplicationResponse { Application = application });
    }

    /// <inheritdoc />
    public override Task<GetApplicationResponse> GetApplication(GetApplicationRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.ResourceId("application_id", request.ApplicationId, "an application id");
        violations.ThrowIfAny();

        return Task.FromResult(new GetApplicationResponse { Application = store.GetApplication(request.Iin, request.ApplicationId) });
    }

    private void CheckBenefitType(FieldViolations violations, BenefitType type)
    {
        if (Enum.IsDefined(type) && type != BenefitType.Unspecified && !store.Pays(type))
        {
            violations.Add(
                "benefit_type",
                $"This provider does not pay this benefit; it pays: {string.Join(", ", store.Provider.BenefitTypes)}.",
                "BENEFIT_TYPE_NOT_PAID");
        }
        else
        {
            violations.RequiredEnum("benefit_type", type);
        }
    }
}
