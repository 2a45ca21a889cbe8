using Grpc.Core;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.SocialServices.V1;

namespace ProviderGateway.Conformance.Checks;

/// <summary>The checks of <c>providergateway.socialservices.v1.SocialServicesService</c>.</summary>
internal sealed class SocialServicesSuite : ContractSuite
{
    private const string BenefitResource = "socialservices.v1.Benefit";
    private const string ApplicationResource = "socialservices.v1.Application";
    private const string MissingBenefit = "NO-SUCH-BENEFIT-0";
    private const string MissingApplication = "NO-SUCH-APPLICATION-0";

    private readonly SocialServicesService.SocialServicesServiceClient _client;
    private readonly Func<CancellationToken, Task<IReadOnlyList<Benefit>>> _benefits;
    private readonly Func<CancellationToken, Task<Benefit>> _paidBenefit;
    private readonly Func<CancellationToken, Task<Application>> _application;
    private readonly Func<CancellationToken, Task<Benefit>> _otherBenefit;
    private readonly Write<CreateApplicationRequest, CreateApplicationResponse> _applications;

    public SocialServicesSuite(ConformanceTarget target, KitOptions options)
        : base(target, options)
    {
        _client = new SocialServicesService.SocialServicesServiceClient(target.Channel);
        _benefits = Fixture("the test citizen's benefits", LoadBenefitsAsync);
        _paidBenefit = Fixture("the test citizen's benefit with the most payments", LoadPaidBenefitAsync);
        _application = Fixture("an application of the test citizen", async ct =>
            (await _client.CreateApplicationAsync(await NewApplicationAsync(ct), Target.Call(ct))).Application
            ?? throw new ConformanceFailure("CreateApplication returned no application"));
        _otherBenefit = Fixture("a benefit of the other test citizen", async ct =>
            (await _client.ListBenefitsAsync(new() { Iin = Options.OtherCitizenIin, PageSize = 1 }, Target.Call(ct))).Benefits.FirstOrDefault()
            ?? throw new ConformanceFailure("the provider lists no benefit for the other test citizen; pass --other-citizen-iin of a second test citizen who receives one from it"));
        _applications = new(
            "CreateApplication",
            "application",
            NewApplicationAsync,
            r => r.Iin = Options.OtherCitizenIin,
            (r, call) => _client.CreateApplicationAsync(r, call).ResponseAsync,
            r => r.Application?.ApplicationId);
    }

    public override string ServiceName => SocialServicesService.Descriptor.FullName;

    protected override Task ProbeAsync(CallOptions call) =>
        _client.ListBenefitsAsync(new ListBenefitsRequest { Iin = Options.CitizenIin }, call).ResponseAsync;

    protected override IEnumerable<ConformanceCheck> WriteChecks() => IdempotencyChecks(_applications);

    protected override IEnumerable<ConformanceCheck> ValidationChecks()
    {
        const string BadIinSent = "an IIN with a wrong check digit";
        yield return Check("validation.iin.ListBenefits", "ListBenefits refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListBenefitsAsync(new() { Iin = BadIin }, Target.Call(ct)).ResponseAsync, "iin", BadIinSent));
        yield return Check("validation.iin.ListBenefitPayments", "ListBenefitPayments refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListBenefitPaymentsAsync(new() { Iin = BadIin, BenefitId = (await _paidBenefit(ct)).BenefitId }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.iin.CheckEligibility", "CheckEligibility refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.CheckEligibilityAsync(new() { Iin = BadIin, BenefitType = (await _paidBenefit(ct)).BenefitType }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.iin.CreateApplication", "CreateApplication refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => RefusedAsync(_applications, r => r.Iin = BadIin, "iin", BadIinSent, ct));
        yield return Check("validation.iin.GetApplication", "GetApplication refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.GetApplicationAsync(new() { Iin = BadIin, ApplicationId = (await _application(ct)).ApplicationId }, Target.Call(ct)), "iin", BadIinSent));

        yield return Check("validation.page_size.ListBenefits", "ListBenefits refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListBenefitsAsync(new() { Iin = Options.CitizenIin, PageSize = -1 }, Target.Call(ct)).ResponseAsync, "page_size", "page_size -1"));
        yield return Check("validation.page_size.ListBenefitPayments", "ListBenefitPayments refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = (await _paidBenefit(ct)).BenefitId, PageSize = -1 }, Target.Call(ct)), "page_size", "page_size -1"));
        const string ForgedToken = "a page_token the provider never issued";
        yield return Check("validation.page_token.ListBenefits", "ListBenefits refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListBenefitsAsync(new() { Iin = Options.CitizenIin, PageToken = ForgedPageToken }, Target.Call(ct)).ResponseAsync, "page_token", ForgedToken));
        yield return Check("validation.page_token.ListBenefitPayments", "ListBenefitPayments refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = (await _paidBenefit(ct)).BenefitId, PageToken = ForgedPageToken }, Target.Call(ct)), "page_token", ForgedToken));
        yield return ForeignPageTokenCheck("ListBenefits",
            async ct => (await _client.ListBenefitsAsync(new() { Iin = Options.CitizenIin, PageSize = 1 }, Target.Call(ct))).NextPageToken,
            (token, call) => _client.ListBenefitsAsync(new() { Iin = Options.OtherCitizenIin, PageSize = 1, PageToken = token }, call).ResponseAsync);
        yield return ForeignPageTokenCheck("ListBenefitPayments",
            async ct => (await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = (await _paidBenefit(ct)).BenefitId, PageSize = 1 }, Target.Call(ct))).NextPageToken,
            async (token, call) => await _client.ListBenefitPaymentsAsync(new() { Iin = Options.OtherCitizenIin, BenefitId = (await _otherBenefit(call.CancellationToken)).BenefitId, PageSize = 1, PageToken = token }, call));
        yield return Check("validation.request_id.CreateApplication", "CreateApplication without request_id, or with one that is not a UUID, is INVALID_ARGUMENT with a BadRequest violation of 'request_id'.",
            async ct =>
            {
                await RefusedAsync(_applications, r => r.RequestId = "", "request_id", "a write without request_id", ct);
                await RefusedAsync(_applications, r => r.RequestId = "application-1", "request_id", "a write whose request_id 'application-1' is not a UUID", ct);
            });
        yield return Check("validation.benefit_type.CheckEligibility", "CheckEligibility without a benefit type (UNSPECIFIED) is INVALID_ARGUMENT with a BadRequest violation of 'benefit_type'.",
            ct => Expect.InvalidArgumentAsync(() => _client.CheckEligibilityAsync(new() { Iin = Options.CitizenIin }, Target.Call(ct)).ResponseAsync, "benefit_type", "benefit_type UNSPECIFIED"));
        yield return Check("validation.benefit_type.CreateApplication", "CreateApplication without a benefit type (UNSPECIFIED) is INVALID_ARGUMENT with a BadRequest violation of 'benefit_type'.",
            ct => RefusedAsync(_applications, r => r.BenefitType = BenefitType.Unspecified, "benefit_type", "an application with benefit_type UNSPECIFIED", ct));
    }

    protected override IEnumerable<ConformanceCheck> FormatChecks()
    {
        yield return FormatCheck("ListBenefitPayments", "benefit_id", "SIF 2025/1",
            (benefit, call) => _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = benefit }, call).ResponseAsync);
        yield return FormatCheck("GetApplication", "application_id", "AP 2026/1",
            (application, call) => _client.GetApplicationAsync(new() { Iin = Options.CitizenIin, ApplicationId = application }, call).ResponseAsync);
        yield return FormatCheck("CreateApplication", "kato_code", "19520000",
            async (kato, call) => await _applications.SendChangedAsync(r => r.KatoCode = kato, call));
    }

    protected override IEnumerable<ConformanceCheck> NotFoundChecks()
    {
        yield return NotFoundCheck("ListBenefitPayments", "a benefit id the provider never issued", BenefitResource, MissingBenefit,
            call => _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = MissingBenefit }, call).ResponseAsync);
        yield return NotFoundCheck("GetApplication", "an application id the provider never issued", ApplicationResource, MissingApplication,
            call => _client.GetApplicationAsync(new() { Iin = Options.CitizenIin, ApplicationId = MissingApplication }, call).ResponseAsync);
    }

    protected override IEnumerable<ConformanceCheck> OtherCitizenChecks()
    {
        yield return OtherCitizenCheck("ListBenefitPayments", "benefit", BenefitResource,
            async ct => (await _paidBenefit(ct)).BenefitId,
            (benefit, call) => _client.ListBenefitPaymentsAsync(new() { Iin = Options.OtherCitizenIin, BenefitId = benefit }, call).ResponseAsync);
        yield return OtherCitizenCheck("GetApplication", "application", ApplicationResource,
            async ct => (await _application(ct)).ApplicationId,
            (application, call) => _client.GetApplicationAsync(new() { Iin = Options.OtherCitizenIin, ApplicationId = application }, call).ResponseAsync);
    }

    protected override IEnumerable<ConformanceCheck> UnknownCitizenAndPagingChecks()
    {
        yield return Check("unknown_citizen.ListBenefits", "ListBenefits of a valid IIN the provider does not know is an empty last page, not an error.",
            async ct =>
            {
                var response = await _client.ListBenefitsAsync(new() { Iin = Options.UnknownIin }, Target.Call(ct));
                Expect.That(response.Benefits.Count == 0 && response.NextPageToken.Length == 0,
                    $"ListBenefits of an unknown citizen returned {response.Benefits.Count} benefit(s) and next_page_token '{response.NextPageToken}'; expected an empty last page");
            });

        yield return Check("paging.ListBenefits", "ListBenefits pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            ct => PagingCheck.CheckAsync("ListBenefits", async (size, token) =>
            {
                var page = await _client.ListBenefitsAsync(new() { Iin = Options.CitizenIin, PageSize = size, PageToken = token }, Target.Call(ct));
                return new Page([.. page.Benefits.Select(b => b.BenefitId)], page.NextPageToken);
            }));
        yield return Check("paging.ListBenefitPayments", "ListBenefitPayments pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            async ct =>
            {
                var benefit = (await _paidBenefit(ct)).BenefitId;
                await PagingCheck.CheckAsync("ListBenefitPayments", async (size, token) =>
                {
                    var page = await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = benefit, PageSize = size, PageToken = token }, Target.Call(ct));
                    return new Page([.. page.Payments.Select(p => p.PaymentId)], page.NextPageToken);
                });
            });
    }

    protected override IEnumerable<ConformanceCheck> DataChecks()
    {
        yield return Check("data.ListBenefits", "Benefits have an id, a type, a payer, a state, an amount in tiyn KZT, a frequency and a period.",
            async ct =>
            {
                var benefits = await _benefits(ct);
                var problems = new DataProblems();
                for (var i = 0; i < benefits.Count; i++)
                {
                    var benefit = benefits[i];
                    var path = $"benefits[{i}]";
                    problems.Required(path + ".benefit_id", benefit.BenefitId);
                    problems.Enum(path + ".benefit_type", benefit.BenefitType);
                    problems.Required(path + ".payer_name", benefit.PayerName);
                    problems.Enum(path + ".state", benefit.State);
                    problems.Money(path + ".amount", benefit.Amount);
                    problems.Enum(path + ".frequency", benefit.Frequency);
                    problems.DateRange(path + ".period", benefit.Period);
                }

                problems.ThrowIfAny("ListBenefits");
            });
        yield return Check("data.ListBenefitPayments", "Benefit payments have an id, the benefit, a positive amount in tiyn KZT, a covered period, a payment date and a state.",
            async ct =>
            {
                var benefit = (await _paidBenefit(ct)).BenefitId;
                var payments = (await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = benefit, PageSize = 100 }, Target.Call(ct))).Payments;
                var problems = new DataProblems();
                for (var i = 0; i < payments.Count; i++)
                {
                    var payment = payments[i];
                    var path = $"payments[{i}]";
                    problems.Required(path + ".payment_id", payment.PaymentId);
                    if (payment.BenefitId != benefit)
                    {
                        problems.Add(path + ".benefit_id", $"is '{payment.BenefitId}', the list was asked for '{benefit}'");
                    }

                    problems.Money(path + ".amount", payment.Amount);
                    if (payment.Amount is { MinorUnits: <= 0 })
                    {
                        problems.Add(path + ".amount.minor_units", "is not positive");
                    }

                    problems.DateRange(path + ".covered_period", payment.CoveredPeriod);
                    problems.Date(path + ".payment_date", payment.PaymentDate);
                    problems.Enum(path + ".state", payment.State);
                }

                problems.ThrowIfAny("ListBenefitPayments");
            });
        yield return Check("data.CheckEligibility", "An eligibility answer gives at least one reason, and an estimated amount (when set) in tiyn KZT only when eligible.",
            async ct =>
            {
                var type = (await _paidBenefit(ct)).BenefitType;
                var answer = await _client.CheckEligibilityAsync(new() { Iin = Options.CitizenIin, BenefitType = type }, Target.Call(ct));
                var problems = new DataProblems();
                if (answer.Reasons.Count == 0 || answer.Reasons.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add("reasons", "is empty or has an empty entry; at least one reason is always given");
                }

                problems.OptionalMoney("estimated_amount", answer.EstimatedAmount);
                if (!answer.Eligible && answer.EstimatedAmount is not null)
                {
                    problems.Add("estimated_amount", "is set although the citizen is not eligible");
                }

                problems.ThrowIfAny("CheckEligibility");
            });
        yield return Check("data.GetApplication", "A new application has an id, the benefit type asked for, a state and times, and GetApplication finds it.",
            async ct =>
            {
                var application = await _application(ct);
                var problems = new DataProblems();
                CheckApplication(problems, application);
                problems.ThrowIfAny("CreateApplication");
                var found = (await _client.GetApplicationAsync(new() { Iin = Options.CitizenIin, ApplicationId = application.ApplicationId }, Target.Call(ct))).Application;
                Expect.That(found?.ApplicationId == application.ApplicationId, $"GetApplication('{application.ApplicationId}') did not return that application");
                Expect.That(found!.BenefitType == application.BenefitType && Equals(found.CreateTime, application.CreateTime),
                    "GetApplication returned an application whose benefit type or creation time differ from those CreateApplication returned");
                CheckApplication(problems, found);
                problems.ThrowIfAny("GetApplication");
            });
    }

    private async Task<IReadOnlyList<Benefit>> LoadBenefitsAsync(CancellationToken ct)
    {
        var benefits = (await _client.ListBenefitsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct))).Benefits;
        Expect.That(benefits.Count > 0, "the provider lists no benefit for the test citizen; pass --citizen-iin of a test citizen who receives a benefit from it");
        return benefits;
    }

    private async Task<Benefit> LoadPaidBenefitAsync(CancellationToken ct)
    {
        Benefit? best = null;
        var most = -1;
        foreach (var benefit in await _benefits(ct))
        {
            var payments = (await _client.ListBenefitPaymentsAsync(new() { Iin = Options.CitizenIin, BenefitId = benefit.BenefitId, PageSize = 100 }, Target.Call(ct))).Payments.Count;
            if (payments > most)
            {
                (best, most) = (benefit, payments);
            }
        }

        return best!;
    }

    /// <summary>A valid new application: for the benefit type of the test citizen's most paid benefit, in the configured district.</summary>
    private async Task<CreateApplicationRequest> NewApplicationAsync(CancellationToken ct) => new()
    {
        RequestId = NewRequestId(),
        Iin = Options.CitizenIin,
        BenefitType = (await _paidBenefit(ct)).BenefitType,
        KatoCode = Options.KatoCode,
    };

    private static void CheckApplication(DataProblems problems, Application? application)
    {
        if (application is null)
        {
            problems.Add("application", "is not set");
            return;
        }

        problems.Required("application.application_id", application.ApplicationId);
        problems.Enum("application.benefit_type", application.BenefitType);
        problems.Enum("application.state", application.State);
        problems.Timestamp("application.create_time", application.CreateTime);
        problems.Timestamp("application.update_time", application.UpdateTime);
    }
}
