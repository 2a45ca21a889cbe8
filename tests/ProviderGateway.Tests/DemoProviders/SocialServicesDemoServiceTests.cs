using Grpc.Core;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class SocialServicesDemoServiceTests : IAsyncLifetime
{
    private const string ProviderId = "social-insurance-fund";

    private static DemoSeed Seed => DemoProviderHarness.Seed;

    private DemoProviderHarness _provider = null!;
    private SocialServicesService.SocialServicesServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _provider = await DemoProviderHarness.StartAsync(ProviderId);
        _client = new SocialServicesService.SocialServicesServiceClient(_provider.Channel);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task ListBenefits_rejects_a_malformed_iin_with_a_bad_request_naming_iin()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListBenefitsAsync(new ListBenefitsRequest { Iin = "061211600013" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var violation = Assert.Single(RpcDetails.BadRequest(e).FieldViolations);
        Assert.Equal("iin", violation.Field);
        Assert.Equal("IIN_CHECK_DIGIT_MISMATCH", violation.Reason);
    }

    [Fact]
    public async Task ListBenefits_returns_an_empty_page_for_an_unknown_iin()
    {
        var response = await _client.ListBenefitsAsync(new ListBenefitsRequest { Iin = DemoProviderHarness.UnknownIin });

        Assert.Empty(response.Benefits);
        Assert.Equal("", response.NextPageToken);
    }

    [Fact]
    public async Task ListBenefits_returns_the_citizens_benefits_from_this_provider()
    {
        var recipient = Seed.Benefits.GroupBy(b => b.Iin).First(g => g.Count() > 1 && g.All(b => b.ProviderId == ProviderId));

        var response = await _client.ListBenefitsAsync(new ListBenefitsRequest { Iin = recipient.Key });

        Assert.Equal(recipient.Select(b => b.BenefitId).Order(StringComparer.Ordinal), response.Benefits.Select(b => b.BenefitId).Order(StringComparer.Ordinal));
        Assert.All(response.Benefits, b => Assert.Equal("State Social Insurance Fund (demo)", b.PayerName));
    }

    [Fact]
    public async Task ListBenefitPayments_pages_newest_first_without_overlap_or_gap()
    {
        var benefit = Seed.Benefits.Where(b => b.ProviderId == ProviderId).OrderByDescending(b => b.Payments.Count).First();
        var payments = new List<BenefitPayment>();
        var token = "";

        do
        {
            var page = await _client.ListBenefitPaymentsAsync(new ListBenefitPaymentsRequest
            {
                Iin = benefit.Iin, BenefitId = benefit.BenefitId, PageSize = 5, PageToken = token,
            });
            payments.AddRange(page.Payments);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.True(payments.Count > 5);
        Assert.Equal(benefit.Payments.Select(p => p.PaymentId).Order(StringComparer.Ordinal), payments.Select(p => p.PaymentId).Order(StringComparer.Ordinal));
        var dates = payments.Select(p => new DateOnly(p.PaymentDate.Year, p.PaymentDate.Month, p.PaymentDate.Day)).ToList();
        Assert.Equal(dates.OrderDescending(), dates);
    }

    [Fact]
    public async Task ListBenefitPayments_of_another_citizens_benefit_is_not_found_with_resource_info()
    {
        var benefit = Seed.Benefits.First(b => b.ProviderId == ProviderId);

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListBenefitPaymentsAsync(new ListBenefitPaymentsRequest
        {
            Iin = DemoProviderHarness.UnknownIin, BenefitId = benefit.BenefitId,
        }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var resource = RpcDetails.ResourceInfo(e);
        Assert.Equal("socialservices.v1.Benefit", resource.ResourceType);
        Assert.Equal(benefit.BenefitId, resource.ResourceName);
    }

    [Fact]
    public async Task CheckEligibility_says_a_citizen_already_receiving_the_benefit_is_not_eligible()
    {
        var pension = Seed.Benefits.First(b => b.BenefitType == BenefitType.Pension && b.State == BenefitState.Active);

        var response = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = pension.Iin, BenefitType = BenefitType.Pension });

        Assert.False(response.Eligible);
        Assert.Contains("already receives", Assert.Single(response.Reasons));
    }

    [Fact]
    public async Task CheckEligibility_decides_pension_by_the_age_in_the_iin()
    {
        var retired = Iin.Create(new DateOnly(1955, 3, 1), male: true, serial: 1201)!;
        var young = Iin.Create(new DateOnly(1990, 3, 1), male: false, serial: 1201)!;

        var eligible = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = retired, BenefitType = BenefitType.Pension });
        var notYet = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = young, BenefitType = BenefitType.Pension });

        Assert.True(eligible.Eligible);
        Assert.Contains(eligible.Reasons, r => r.Contains("retirement age of 63", StringComparison.Ordinal));
        Assert.False(notYet.Eligible);
        Assert.Contains("1 March 2051", Assert.Single(notYet.Reasons));
        Assert.All(eligible.Reasons.Concat(notYet.Reasons), r => Assert.EndsWith(".", r));
    }

    [Fact]
    public async Task CheckEligibility_says_maternity_is_for_women_only()
    {
        var man = Seed.Citizens.First(c => Iin.IsMale(c.Iin) && !Seed.Benefits.Any(b => b.Iin == c.Iin));

        var response = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = man.Iin, BenefitType = BenefitType.Maternity });

        Assert.False(response.Eligible);
        Assert.Equal("Maternity payments are made to women only.", Assert.Single(response.Reasons));
    }

    [Fact]
    public async Task CheckEligibility_for_a_benefit_this_provider_does_not_pay_is_invalid()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CheckEligibilityAsync(new CheckEligibilityRequest
        {
            Iin = DemoProviderHarness.UnknownIin, BenefitType = BenefitType.TargetedSocialAssistance,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var violation = Assert.Single(RpcDetails.BadRequest(e).FieldViolations);
        Assert.Equal("benefit_type", violation.Field);
        Assert.Equal("BENEFIT_TYPE_NOT_PAID", violation.Reason);
    }

    [Fact]
    public async Task CreateApplication_starts_SUBMITTED_and_GetApplication_returns_it()
    {
        var request = ApplicationFor(Seed.Citizens[0], BenefitType.JobLoss);

        var created = (await _client.CreateApplicationAsync(request)).Application;
        var fetched = (await _client.GetApplicationAsync(new GetApplicationRequest { Iin = request.Iin, ApplicationId = created.ApplicationId })).Application;

        Assert.Equal(ApplicationState.Submitted, created.State);
        Assert.Equal(BenefitType.JobLoss, created.BenefitType);
        Assert.Equal(created, fetched);
    }

    [Fact]
    public async Task CreateApplication_is_idempotent_by_request_id()
    {
        var request = ApplicationFor(Seed.Citizens[0], BenefitType.Childcare);

        var first = (await _client.CreateApplicationAsync(request)).Application;
        var retry = (await _client.CreateApplicationAsync(request.Clone())).Application;
        var changed = request.Clone();
        changed.BenefitType = BenefitType.Disability;
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateApplicationAsync(changed).ResponseAsync);

        Assert.Equal(first, retry);
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", RpcDetails.ErrorInfo(e).Reason);
    }

    [Fact]
    public async Task CheckEligibility_reports_an_application_being_examined()
    {
        var citizen = Seed.Citizens.First(c => Iin.IsMale(c.Iin) && !Seed.Benefits.Any(b => b.Iin == c.Iin));
        await _client.CreateApplicationAsync(ApplicationFor(citizen, BenefitType.JobLoss));

        var response = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = citizen.Iin, BenefitType = BenefitType.JobLoss });

        Assert.False(response.Eligible);
        Assert.Contains("still being examined", Assert.Single(response.Reasons));
    }

    [Fact]
    public async Task CreateApplication_without_a_benefit_type_is_invalid()
    {
        var request = ApplicationFor(Seed.Citizens[0], BenefitType.Unspecified);

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateApplicationAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "benefit_type" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task GetApplication_of_another_citizen_is_not_found_with_resource_info()
    {
        var created = (await _client.CreateApplicationAsync(ApplicationFor(Seed.Citizens[0], BenefitType.Disability))).Application;

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetApplicationAsync(new GetApplicationRequest { Iin = Seed.Citizens[1].Iin, ApplicationId = created.ApplicationId }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("socialservices.v1.Application", RpcDetails.ResourceInfo(e).ResourceType);
    }

    private static CreateApplicationRequest ApplicationFor(DemoSeedCitizen citizen, BenefitType type) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Iin = citizen.Iin,
        BenefitType = type,
        KatoCode = citizen.KatoCode,
    };
}

public sealed class TargetedAssistanceDemoServiceTests : IAsyncLifetime
{
    private static DemoSeed Seed => DemoProviderHarness.Seed;

    private DemoProviderHarness _provider = null!;
    private SocialServicesService.SocialServicesServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _provider = await DemoProviderHarness.StartAsync("targeted-assistance");
        _client = new SocialServicesService.SocialServicesServiceClient(_provider.Channel);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task ListBenefits_shows_quarterly_targeted_assistance()
    {
        var assistance = Seed.Benefits.First(b => b.ProviderId == "targeted-assistance");

        var benefit = Assert.Single((await _client.ListBenefitsAsync(new ListBenefitsRequest { Iin = assistance.Iin })).Benefits);

        Assert.Equal(BenefitType.TargetedSocialAssistance, benefit.BenefitType);
        Assert.Equal(PaymentFrequency.Quarterly, benefit.Frequency);
    }

    [Fact]
    public async Task CheckEligibility_refuses_targeted_assistance_to_a_citizen_receiving_another_benefit()
    {
        var pensioner = Seed.Benefits.First(b => b.BenefitType == BenefitType.Pension && b.State == BenefitState.Active);

        var response = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = pensioner.Iin, BenefitType = BenefitType.TargetedSocialAssistance });

        Assert.False(response.Eligible);
        Assert.Contains("a pension", Assert.Single(response.Reasons));
        Assert.Null(response.EstimatedAmount);
    }

    [Fact]
    public async Task CheckEligibility_estimates_targeted_assistance_for_a_resident_without_benefits()
    {
        var resident = Seed.Citizens.First(c => !Seed.Benefits.Any(b => b.Iin == c.Iin));

        var response = await _client.CheckEligibilityAsync(new CheckEligibilityRequest { Iin = resident.Iin, BenefitType = BenefitType.TargetedSocialAssistance });

        Assert.True(response.Eligible);
        Assert.Equal("KZT", response.EstimatedAmount.CurrencyCode);
        Assert.True(response.EstimatedAmount.MinorUnits > 0);
    }

    [Fact]
    public async Task CreateApplication_for_a_benefit_the_akimat_does_not_pay_is_invalid()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateApplicationAsync(new CreateApplicationRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = Seed.Citizens[0].Iin,
            BenefitType = BenefitType.Pension,
            KatoCode = Seed.Citizens[0].KatoCode,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "benefit_type" }, RpcDetails.ViolatedFields(e));
    }
}
