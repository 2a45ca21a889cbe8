using System.Globalization;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.DemoProviders.Data;

namespace ProviderGateway.DemoProviders.Eligibility;

/// <summary>
/// Simple, deterministic eligibility rules over what the seed holds: age and sex from the IIN, the
/// benefits already assigned and the applications being examined. Real providers apply the law; these
/// rules only need to be plausible and predictable, so the front desk and the tests can rely on them.
/// </summary>
internal sealed class EligibilityRules(DemoSeed seed, DemoSeedProvider provider)
{
    /// <summary>Retirement age of men.</summary>
    public const int MenRetirementAge = 63;

    /// <summary>Retirement age of women (kept at 61 until 2028).</summary>
    public const int WomenRetirementAge = 61;

    /// <summary>Age from which a citizen may work and be insured.</summary>
    public const int WorkingAgeFrom = 16;

    /// <summary>Age up to which a dependant in full-time education is paid for the loss of a breadwinner.</summary>
    public const int DependantAgeLimit = 23;

    /// <summary>Quarterly targeted social assistance estimated for a one-person household without income, in tiyn.</summary>
    public const long TargetedAssistanceQuarterlyEstimate = 6_300_000;

    private const string FinalDecision = "The final decision is taken when an application is examined.";
    private const string IncomeBasedAmount = "The amount depends on the citizen's insured income and is computed when an application is examined.";

    public CheckEligibilityResponse Evaluate(string iin, BenefitType type, DateOnly today, IEnumerable<Application> pendingApplications)
    {
        var assigned = seed.Benefits.FirstOrDefault(b =>
            b.ProviderId == provider.Id && b.Iin == iin && b.BenefitType == type && b.State is BenefitState.Active or BenefitState.Suspended);
        if (assigned is not null)
        {
            return NotEligible(assigned.State == BenefitState.Active
                ? $"The citizen already receives this benefit, assigned from {Day(assigned.Period.StartDate)}."
                : $"The citizen's assignment of this benefit from {Day(assigned.Period.StartDate)} is suspended; it is resumed after re-examination, not assigned again.");
        }

        if (pendingApplications.FirstOrDefault() is { } pending)
        {
            var submitted = DateOnly.FromDateTime(pending.CreateTime.ToDateTimeOffset().ToOffset(KazakhstanTime.Offset).DateTime);
            return NotEligible($"An application for this benefit submitted on {Day(submitted)} is still being examined.");
        }

        var birthDate = Iin.GetBirthDate(iin);
        var age = KazakhstanTime.AgeOn(birthDate, today);
        var male = Iin.IsMale(iin);
        var retirementAge = male ? MenRetirementAge : WomenRetirementAge;
        return type switch
        {
            BenefitType.Pension => Pension(birthDate, age, retirementAge),
            BenefitType.Maternity => Maternity(male, age),
            BenefitType.Childcare => WorkingAge(age, retirementAge, "Childcare payments go to an insured parent or guardian of working age."),
            BenefitType.JobLoss => WorkingAge(age, retirementAge, "Job loss payments go to insured citizens of working age who lost their work."),
            BenefitType.Disability => WorkingAge(age, retirementAge, "Social insurance disability payments go to insured citizens of working age."),
            BenefitType.LossOfBreadwinner => LossOfBreadwinner(age, retirementAge),
            BenefitType.TargetedSocialAssistance => TargetedAssistance(iin),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a benefit type."),
        };
    }

    private static CheckEligibilityResponse Pension(DateOnly birthDate, int age, int retirementAge)
    {
        var retirementDay = birthDate.AddYears(retirementAge);
        return age >= retirementAge
            ? Eligible(null, $"The citizen reached the retirement age of {retirementAge} on {Day(retirementDay)}.", "The amount depends on the length of service and pension savings and is computed when an application is examined.")
            : NotEligible($"The citizen reaches the retirement age of {retirementAge} on {Day(retirementDay)}.");
    }

    private static CheckEligibilityResponse Maternity(bool male, int age)
    {
        if (male)
        {
            return NotEligible("Maternity payments are made to women only.");
        }

        return age is >= WorkingAgeFrom and <= 50
            ? Eligible(null, "The citizen is a woman of childbearing age.", IncomeBasedAmount)
            : NotEligible("The citizen's age is outside the ages at which maternity payments are assigned (16 to 50 in this demo).");
    }

    private static CheckEligibilityResponse WorkingAge(int age, int retirementAge, string rule) =>
        age >= WorkingAgeFrom && age < retirementAge
            ? Eligible(null, rule, $"The citizen is {age}, which is working age.", IncomeBasedAmount)
            : NotEligible(rule, $"The citizen is {age}, which is not working age ({WorkingAgeFrom} to {retirementAge - 1}).");

    private static CheckEligibilityResponse LossOfBreadwinner(int age, int retirementAge)
    {
        if (age < DependantAgeLimit)
        {
            return Eligible(null, $"The citizen is under {DependantAgeLimit}, the age up to which dependants in full-time education are paid.", IncomeBasedAmount);
        }

        return age >= retirementAge
            ? Eligible(null, "The citizen is of retirement age, at which a dependant is paid.", IncomeBasedAmount)
            : NotEligible($"Working-age adults between {DependantAgeLimit} and {retirementAge - 1} are paid only when disabled, which this provider cannot see from its data.");
    }

    private CheckEligibilityResponse TargetedAssistance(string iin)
    {
        var citizen = seed.FindCitizen(iin);
        if (citizen is null || !provider.Serves(citizen.KatoCode))
        {
            return NotEligible("The akimat has no registered residence of the citizen in the districts it serves.");
        }

        // The means test: in the demo, any other benefit being paid counts as income above the threshold.
        var other = seed.Benefits.FirstOrDefault(b => b.Iin == iin && b.State == BenefitState.Active && b.BenefitType != BenefitType.TargetedSocialAssistance);
        return other is null
            ? Eligible(
                ContractMapping.Money(TargetedAssistanceQuarterlyEstimate),
                "The citizen lives in a district the akimat serves.",
                "The citizen receives no other benefit, so the household income appears below the assistance threshold.",
                "The estimate is for a one-person household without income; the akimat computes the amount from the declared household income.")
            : NotEligible($"The citizen already receives another benefit ({Describe(other.BenefitType)}), which counts as household income above the assistance threshold.");
    }

    private static CheckEligibilityResponse Eligible(Money? estimate, params string[] reasons)
    {
        var response = new CheckEligibilityResponse { Eligible = true, Reasons = { reasons }, EstimatedAmount = estimate };
        response.Reasons.Add(FinalDecision);
        return response;
    }

    private static CheckEligibilityResponse NotEligible(params string[] reasons) => new() { Eligible = false, Reasons = { reasons } };

    private static string Day(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static string Describe(BenefitType type) => type switch
    {
        BenefitType.Disability => "a disability payment",
        BenefitType.LossOfBreadwinner => "a loss of breadwinner payment",
        BenefitType.JobLoss => "a job loss payment",
        BenefitType.Maternity => "a maternity payment",
        BenefitType.Childcare => "a childcare payment",
        BenefitType.Pension => "a pension",
        _ => "a social payment",
    };
}
