using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.DemoProviders.Data;

/// <summary>Turns seed records into contract messages. The results are built once and shared read-only.</summary>
internal static class ContractMapping
{
    public static Money Money(long minorUnits) => new() { MinorUnits = minorUnits, CurrencyCode = DemoSeedValidator.Currency };

    public static Money Money(DemoSeedMoney money) => Money(money.MinorUnits);

    public static Google.Type.Date Date(DateOnly day) => new() { Year = day.Year, Month = day.Month, Day = day.Day };

    public static Timestamp Time(DateTimeOffset moment) => Timestamp.FromDateTimeOffset(moment);

    public static DateRange Range(DemoSeedDateRange range)
    {
        var result = new DateRange { StartDate = Date(range.StartDate) };
        if (range.EndDate is { } end)
        {
            result.EndDate = Date(end);
        }

        return result;
    }

    public static Address Address(DemoSeedAddress address, DemoSeed seed)
    {
        var district = seed.FindDistrict(address.KatoCode);
        return new Address
        {
            KatoCode = address.KatoCode,
            Region = district?.Region ?? "",
            District = district?.District ?? "",
            Locality = address.Locality,
            StreetAddress = address.StreetAddress,
            Apartment = address.Apartment ?? "",
            PostalCode = address.PostalCode,
        };
    }

    public static Account Account(DemoSeedUtilityAccount account, DemoSeedProvider provider, DemoSeedAddress premises, DemoSeed seed) => new()
    {
        AccountNumber = account.AccountNumber,
        ServiceType = provider.ServiceType ?? ServiceType.Unspecified,
        ProviderName = provider.DisplayName,
        Address = Address(premises, seed),
        State = account.State,
        Meters = { account.Meters.Select(Meter) },
        OpenTime = Time(account.OpenTime),
    };

    public static Meter Meter(DemoSeedMeter meter)
    {
        var result = new Meter
        {
            MeterId = meter.MeterId,
            SerialNumber = meter.SerialNumber ?? "",
            Unit = meter.Unit,
            LastReadingMilliUnits = meter.LastReadingMilliUnits,
        };
        if (meter.LastReadingDate is { } day)
        {
            result.LastReadingDate = Date(day);
        }

        return result;
    }

    public static Invoice Invoice(DemoSeedInvoice invoice, DemoSeedUtilityAccount account) => new()
    {
        InvoiceId = invoice.InvoiceId,
        AccountNumber = account.AccountNumber,
        BillingPeriod = Range(invoice.BillingPeriod),
        Amount = Money(invoice.Amount),
        ConsumptionMilliUnits = invoice.ConsumptionMilliUnits,
        ConsumptionUnit = account.Meters.Count > 0 ? account.Meters[0].Unit : MeterUnit.Unspecified,
        IssueDate = Date(invoice.IssueDate),
        DueDate = Date(invoice.DueDate),
        State = invoice.State,
    };

    public static Payment Payment(DemoSeedPayment payment, DemoSeedUtilityAccount account) => new()
    {
        PaymentId = payment.PaymentId,
        AccountNumber = account.AccountNumber,
        Amount = Money(payment.Amount),
        PaidTime = Time(payment.PaidTime),
        Channel = payment.Channel,
        InvoiceId = payment.InvoiceId ?? "",
    };

    public static Parcel Parcel(DemoSeedParcel parcel, DemoSeed seed) => new()
    {
        CadastralNumber = parcel.CadastralNumber,
        AreaSquareMetres = parcel.AreaSquareMetres,
        Purpose = parcel.Purpose,
        Address = Address(parcel.Address, seed),
        RightsHolders =
        {
            parcel.RightsHolders.Select(h => new RightsHolder
            {
                Iin = h.Iin,
                DisplayName = seed.FindCitizen(h.Iin)?.ShortName ?? "",
                RightType = h.RightType,
                ShareNumerator = h.ShareNumerator,
                ShareDenominator = h.ShareDenominator,
                RegistrationDate = Date(h.RegistrationDate),
            }),
        },
        Encumbrances = { parcel.Encumbrances.Select(Encumbrance) },
        RegistrationTime = Time(parcel.RegistrationTime),
    };

    public static Benefit Benefit(DemoSeedBenefit benefit, DemoSeedProvider provider) => new()
    {
        BenefitId = benefit.BenefitId,
        BenefitType = benefit.BenefitType,
        PayerName = provider.DisplayName,
        State = benefit.State,
        Amount = Money(benefit.Amount),
        Frequency = benefit.Frequency,
        Period = Range(benefit.Period),
    };

    public static BenefitPayment BenefitPayment(DemoSeedBenefitPayment payment, DemoSeedBenefit benefit) => new()
    {
        PaymentId = payment.PaymentId,
        BenefitId = benefit.BenefitId,
        Amount = Money(payment.Amount),
        CoveredPeriod = Range(payment.CoveredPeriod),
        PaymentDate = Date(payment.PaymentDate),
        State = payment.State,
    };

    private static Encumbrance Encumbrance(DemoSeedEncumbrance encumbrance)
    {
        var result = new Encumbrance
        {
            Type = encumbrance.Type,
            Beneficiary = encumbrance.Beneficiary,
            RegistrationDate = Date(encumbrance.RegistrationDate),
        };
        if (encumbrance.EndDate is { } end)
        {
            result.EndDate = Date(end);
        }

        return result;
    }
}
