using System.Collections.Concurrent;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.SocialServices.V1;

namespace ProviderGateway.DemoProviders.Data;

public sealed partial class DemoDataStore
{
    /// <summary>The resource type of a benefit in NOT_FOUND errors.</summary>
    public const string BenefitResourceType = "socialservices.v1.Benefit";

    /// <summary>The resource type of an application in NOT_FOUND errors.</summary>
    public const string ApplicationResourceType = "socialservices.v1.Application";

    private readonly Dictionary<string, BenefitEntry> _benefits;
    private readonly Dictionary<string, Benefit[]> _benefitsByIin;
    private readonly ConcurrentDictionary<string, ApplicationRecord> _applications = new(StringComparer.Ordinal);

    private readonly IdempotentWrites<CreateApplicationRequest, ApplicationRecord> _applicationWrites =
        new(r => r.RequestId, r => r.RequestId = "");

    /// <summary>True when this provider pays benefits of <paramref name="type"/>.</summary>
    public bool Pays(BenefitType type) => Provider.BenefitTypes.Contains(type);

    /// <summary>The citizen's benefits from this provider, newest assignment first; empty for an unknown IIN.</summary>
    public IReadOnlyList<Benefit> ListBenefits(string iin) =>
        _benefitsByIin.TryGetValue(iin, out var benefits) ? benefits : Empty<Benefit>();

    /// <summary>The payments of one of the citizen's benefits, newest payment date first.</summary>
    /// <exception cref="RpcException">NOT_FOUND when the benefit does not exist or is not the citizen's.</exception>
    public IReadOnlyList<BenefitPayment> ListBenefitPayments(string iin, string benefitId) =>
        _benefits.TryGetValue(benefitId, out var entry) && entry.Seed.Iin == iin
            ? entry.Payments
            : throw RpcErrors.NotFound(BenefitResourceType, benefitId, "No such benefit for this citizen.");

    /// <summary>Whether the citizen appears eligible for a benefit this provider pays, with reasons.</summary>
    public CheckEligibilityResponse CheckEligibility(string iin, BenefitType type) =>
        Eligibility.Evaluate(iin, type, Today, PendingApplications(iin, type));

    /// <summary>Submits an application (whose fields the caller has checked) once per request_id. Applications start SUBMITTED.</summary>
    /// <param name="request">The checked request, for a benefit this provider pays.</param>
    /// <param name="client">The calling gateway client (<c>x-client-id</c>), the scope of the request_id.</param>
    /// <param name="replayed">True when the answer is that of an earlier request with the same request_id.</param>
    /// <exception cref="RpcException">
    /// FAILED_PRECONDITION when the applicant lives outside the districts this provider serves,
    /// ALREADY_EXISTS for a request_id used with another payload.
    /// </exception>
    public Application CreateApplication(CreateApplicationRequest request, string client, out bool replayed) =>
        _applicationWrites.Execute(request, client, Writes, () => SubmitApplication(request), out replayed).Contract;

    /// <summary>One of the citizen's applications in its current state.</summary>
    /// <exception cref="RpcException">NOT_FOUND when the application does not exist or is someone else's.</exception>
    public Application GetApplication(string iin, string applicationId) =>
        _applications.TryGetValue(applicationId, out var application) && application.Iin == iin
            ? application.Contract
            : throw RpcErrors.NotFound(ApplicationResourceType, applicationId, "No such application for this citizen.");

    private ApplicationRecord SubmitApplication(CreateApplicationRequest request)
    {
        if (!Provider.Serves(request.KatoCode))
        {
            throw RpcErrors.FailedPrecondition(
                "SERVICE_AREA", "kato_code", "This provider does not serve the applicant's district; apply to the akimat of that district.", "DISTRICT_NOT_SERVED");
        }

        var now = ContractMapping.Time(Now);
        var application = new ApplicationRecord(request.Iin, new Application
        {
            ApplicationId = NextId("AP"),
            BenefitType = request.BenefitType,
            State = ApplicationState.Submitted,
            CreateTime = now,
            UpdateTime = now,
        });
        _applications[application.Contract.ApplicationId] = application;
        return application;
    }

    private IEnumerable<Application> PendingApplications(string iin, BenefitType type) =>
        _applications.Values
            .Where(a => a.Iin == iin && a.Contract.BenefitType == type && a.Contract.State is ApplicationState.Submitted or ApplicationState.UnderReview)
            .Select(a => a.Contract);

    private (Dictionary<string, BenefitEntry>, Dictionary<string, Benefit[]>) IndexBenefits()
    {
        var entries = Seed.Benefits
            .Where(b => b.ProviderId == Provider.Id)
            .Select(b => new BenefitEntry(
                b,
                ContractMapping.Benefit(b, Provider),
                [.. b.Payments.OrderByDescending(p => p.PaymentDate).ThenByDescending(p => p.PaymentId, StringComparer.Ordinal)
                    .Select(p => ContractMapping.BenefitPayment(p, b))]))
            .ToList();
        return (
            entries.ToDictionary(e => e.Seed.BenefitId, StringComparer.Ordinal),
            entries.GroupBy(e => e.Seed.Iin, StringComparer.Ordinal)
                .ToDictionary(
                    g => g.Key,
                    g => g.OrderByDescending(e => e.Seed.Period.StartDate).ThenBy(e => e.Seed.BenefitId, StringComparer.Ordinal).Select(e => e.Contract).ToArray(),
                    StringComparer.Ordinal));
    }

    private sealed record BenefitEntry(DemoSeedBenefit Seed, Benefit Contract, IReadOnlyList<BenefitPayment> Payments);

    /// <summary>An accepted application. Demo applications stay SUBMITTED: nobody examines them.</summary>
    private sealed record ApplicationRecord(string Iin, Application Contract);
}
