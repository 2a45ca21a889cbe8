using System.Text.Json.Serialization;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.Contracts.Utilities.V1;

// The seed reuses the contracts' enums (written in snake_case: "electricity", "loss_of_breadwinner")
// so that the seed and the wire can never disagree about a value.
namespace ProviderGateway.DemoProviders;

/// <summary>A district (or city administration) the demo covers.</summary>
public sealed record DemoSeedDistrict
{
    /// <summary>The district's KATO code, 9 digits, for example "195200000".</summary>
    public required string KatoCode { get; init; }

    /// <summary>The region's display name, for example "Almaty region".</summary>
    public required string Region { get; init; }

    /// <summary>The district's display name, for example "Karasai district".</summary>
    public required string District { get; init; }
}

/// <summary>A demo provider: one organisation implementing one contract.</summary>
public sealed record DemoSeedProvider
{
    /// <summary>The provider's id, lower-case letters, digits and '-', for example "alatau-power".</summary>
    public required string Id { get; init; }

    /// <summary>The name shown to desks, ending with " (demo)".</summary>
    public required string DisplayName { get; init; }

    /// <summary>The name shown to desks in Kazakh (<c>kk</c>) and Russian (<c>ru</c>); English is <see cref="DisplayName"/>.</summary>
    public IReadOnlyDictionary<string, string> DisplayNames { get; init; } = new Dictionary<string, string>();

    /// <summary>The contract the provider implements: "utilities", "land_registry" or "social_services".</summary>
    public required DemoDomain Domain { get; init; }

    /// <summary>KATO codes of the districts served; empty means the whole country.</summary>
    public IReadOnlyList<string> KatoCodes { get; init; } = [];

    /// <summary>What a utility provider bills for; <c>null</c> for other domains.</summary>
    public ServiceType? ServiceType { get; init; }

    /// <summary>The benefits a social services provider pays; empty for other domains.</summary>
    public IReadOnlyList<BenefitType> BenefitTypes { get; init; } = [];

    /// <summary>True when the provider serves the place with this KATO code.</summary>
    public bool Serves(string katoCode) =>
        KatoCodes.Count == 0 || KatoCodes.Any(area => KatoCode.IsWithin(katoCode, area));
}

/// <summary>A citizen known to the demo providers.</summary>
public sealed record DemoSeedCitizen
{
    /// <summary>The citizen's IIN, 12 digits with a valid check digit.</summary>
    public required string Iin { get; init; }

    /// <summary>Surname, given name and patronymic, for example "Akhmetov Nurlan Serikovich".</summary>
    public required string FullName { get; init; }

    /// <summary>KATO code of the district of registered residence.</summary>
    public required string KatoCode { get; init; }

    /// <summary>The registered residence; its KATO code is <see cref="KatoCode"/>.</summary>
    public required DemoSeedAddress Address { get; init; }

    /// <summary>Surname and initials, as registries print a rights holder: "Akhmetov N. S.".</summary>
    [JsonIgnore]
    public string ShortName
    {
        get
        {
            var parts = FullName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length <= 1 ? FullName : $"{parts[0]} {string.Join(' ', parts.Skip(1).Select(p => p[0] + "."))}";
        }
    }
}

/// <summary>A postal address located by its KATO code.</summary>
public sealed record DemoSeedAddress
{
    /// <summary>KATO code of the district, 9 digits.</summary>
    public required string KatoCode { get; init; }

    /// <summary>City, town or village, for example "Kaskelen".</summary>
    public required string Locality { get; init; }

    /// <summary>Street and building, for example "Abai street 42".</summary>
    public required string StreetAddress { get; init; }

    /// <summary>Apartment number; <c>null</c> for a house.</summary>
    public string? Apartment { get; init; }

    /// <summary>Six-digit postal code, for example "040900".</summary>
    public required string PostalCode { get; init; }
}

/// <summary>An amount of money in minor units (tiyn).</summary>
public sealed record DemoSeedMoney
{
    /// <summary>The amount in tiyn (1 KZT = 100 tiyn); negative for an advance.</summary>
    public required long MinorUnits { get; init; }

    /// <summary>Always "KZT".</summary>
    public required string CurrencyCode { get; init; }
}

/// <summary>An inclusive range of days; <see cref="EndDate"/> <c>null</c> when open-ended.</summary>
public sealed record DemoSeedDateRange
{
    /// <summary>First day, inclusive.</summary>
    public required DateOnly StartDate { get; init; }

    /// <summary>Last day, inclusive; <c>null</c> when still running.</summary>
    public DateOnly? EndDate { get; init; }
}

/// <summary>A personal account with a utility provider.</summary>
public sealed record DemoSeedUtilityAccount
{
    /// <summary>The personal account number, for example "AP-1952-000105".</summary>
    public required string AccountNumber { get; init; }

    /// <summary>The utility provider's id.</summary>
    public required string ProviderId { get; init; }

    /// <summary>The account holder's IIN.</summary>
    public required string Iin { get; init; }

    /// <summary>The serviced premises; <c>null</c> when it is the holder's registered residence.</summary>
    public DemoSeedAddress? Address { get; init; }

    /// <summary>Billing state.</summary>
    public required AccountState State { get; init; }

    /// <summary>When the account was opened.</summary>
    public required DateTimeOffset OpenTime { get; init; }

    /// <summary>Meters installed; empty for unmetered services (waste).</summary>
    public IReadOnlyList<DemoSeedMeter> Meters { get; init; } = [];

    /// <summary>Outstanding balance: the invoices' total less the payments' total.</summary>
    public required DemoSeedMoney Balance { get; init; }

    /// <summary>Monthly invoices.</summary>
    public IReadOnlyList<DemoSeedInvoice> Invoices { get; init; } = [];

    /// <summary>Payments received.</summary>
    public IReadOnlyList<DemoSeedPayment> Payments { get; init; } = [];
}

/// <summary>A meter on a utility account.</summary>
public sealed record DemoSeedMeter
{
    /// <summary>The meter's id within the account, for example "EM-1".</summary>
    public required string MeterId { get; init; }

    /// <summary>The manufacturer's serial number.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>The unit counted: kWh for electricity, m3 for water and gas, Gcal for heating.</summary>
    public required MeterUnit Unit { get; init; }

    /// <summary>The last accepted reading in thousandths of <see cref="Unit"/>.</summary>
    public required long LastReadingMilliUnits { get; init; }

    /// <summary>Day of the last accepted reading.</summary>
    public DateOnly? LastReadingDate { get; init; }
}

/// <summary>A monthly invoice of a utility account.</summary>
public sealed record DemoSeedInvoice
{
    /// <summary>The invoice's id, for example "AP-INV-202610-000105".</summary>
    public required string InvoiceId { get; init; }

    /// <summary>The month billed.</summary>
    public required DemoSeedDateRange BillingPeriod { get; init; }

    /// <summary>The amount billed.</summary>
    public required DemoSeedMoney Amount { get; init; }

    /// <summary>Consumption billed in thousandths of the meters' unit; zero when unmetered.</summary>
    public long ConsumptionMilliUnits { get; init; }

    /// <summary>Day of issue (the 1st of the following month).</summary>
    public required DateOnly IssueDate { get; init; }

    /// <summary>Day the invoice is due (the 25th of the following month).</summary>
    public required DateOnly DueDate { get; init; }

    /// <summary>Payment state, consistent with the account's payments that name this invoice.</summary>
    public required InvoiceState State { get; init; }
}

/// <summary>A payment received for a utility account.</summary>
public sealed record DemoSeedPayment
{
    /// <summary>The payment's id.</summary>
    public required string PaymentId { get; init; }

    /// <summary>The amount received; positive.</summary>
    public required DemoSeedMoney Amount { get; init; }

    /// <summary>When the payment was received.</summary>
    public required DateTimeOffset PaidTime { get; init; }

    /// <summary>How it was paid.</summary>
    public PaymentChannel Channel { get; init; }

    /// <summary>The invoice it settles; <c>null</c> for an advance payment.</summary>
    public string? InvoiceId { get; init; }
}

/// <summary>A land parcel registered with the land registry.</summary>
public sealed record DemoSeedParcel
{
    /// <summary>The cadastral number, "NN-NNN-NNN-NNN".</summary>
    public required string CadastralNumber { get; init; }

    /// <summary>The land registry provider's id.</summary>
    public required string ProviderId { get; init; }

    /// <summary>Area in square metres.</summary>
    public required long AreaSquareMetres { get; init; }

    /// <summary>Permitted use.</summary>
    public required LandPurpose Purpose { get; init; }

    /// <summary>Location of the parcel.</summary>
    public required DemoSeedAddress Address { get; init; }

    /// <summary>When the parcel was first registered.</summary>
    public required DateTimeOffset RegistrationTime { get; init; }

    /// <summary>Everyone holding a registered right; shares add up to one.</summary>
    public required IReadOnlyList<DemoSeedRightsHolder> RightsHolders { get; init; }

    /// <summary>Encumbrances in force.</summary>
    public IReadOnlyList<DemoSeedEncumbrance> Encumbrances { get; init; } = [];
}

/// <summary>A citizen's registered right on a parcel.</summary>
public sealed record DemoSeedRightsHolder
{
    /// <summary>The holder's IIN (a citizen of the seed).</summary>
    public required string Iin { get; init; }

    /// <summary>Kind of right.</summary>
    public required RightType RightType { get; init; }

    /// <summary>Numerator of the holder's share.</summary>
    public required int ShareNumerator { get; init; }

    /// <summary>Denominator of the holder's share.</summary>
    public required int ShareDenominator { get; init; }

    /// <summary>Day the right was registered.</summary>
    public required DateOnly RegistrationDate { get; init; }
}

/// <summary>A registered encumbrance on a parcel.</summary>
public sealed record DemoSeedEncumbrance
{
    /// <summary>Kind of encumbrance.</summary>
    public required EncumbranceType Type { get; init; }

    /// <summary>Who it is in favour of, for display.</summary>
    public required string Beneficiary { get; init; }

    /// <summary>Day it was registered.</summary>
    public required DateOnly RegistrationDate { get; init; }

    /// <summary>Last day in force; <c>null</c> when open-ended.</summary>
    public DateOnly? EndDate { get; init; }
}

/// <summary>A benefit assigned to a citizen by a social services provider.</summary>
public sealed record DemoSeedBenefit
{
    /// <summary>The assignment's id, for example "SIF-2019-004180".</summary>
    public required string BenefitId { get; init; }

    /// <summary>The paying provider's id.</summary>
    public required string ProviderId { get; init; }

    /// <summary>The recipient's IIN.</summary>
    public required string Iin { get; init; }

    /// <summary>Kind of benefit; one the provider pays.</summary>
    public required BenefitType BenefitType { get; init; }

    /// <summary>Payment state.</summary>
    public required BenefitState State { get; init; }

    /// <summary>Amount of each payment.</summary>
    public required DemoSeedMoney Amount { get; init; }

    /// <summary>How often it is paid.</summary>
    public required PaymentFrequency Frequency { get; init; }

    /// <summary>Period of the assignment.</summary>
    public required DemoSeedDateRange Period { get; init; }

    /// <summary>Payments made or scheduled.</summary>
    public IReadOnlyList<DemoSeedBenefitPayment> Payments { get; init; } = [];
}

/// <summary>One payment under a benefit.</summary>
public sealed record DemoSeedBenefitPayment
{
    /// <summary>The payment's id.</summary>
    public required string PaymentId { get; init; }

    /// <summary>Amount paid; positive.</summary>
    public required DemoSeedMoney Amount { get; init; }

    /// <summary>The month or quarter covered.</summary>
    public required DemoSeedDateRange CoveredPeriod { get; init; }

    /// <summary>Day the payment was (or will be) made.</summary>
    public required DateOnly PaymentDate { get; init; }

    /// <summary>State of the payment.</summary>
    public required BenefitPaymentState State { get; init; }
}
