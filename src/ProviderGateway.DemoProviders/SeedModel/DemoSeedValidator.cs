using System.Globalization;
using System.Text.RegularExpressions;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// The rules a seed must keep so that the demo providers never contradict the contracts or each other.
/// Problems name the JSON path of the offending item and never its identifiers, so they are safe to log.
/// </summary>
internal static partial class DemoSeedValidator
{
    public const string Currency = "KZT";

    public static IReadOnlyList<string> Validate(DemoSeed seed)
    {
        var problems = new List<string>();
        var districts = ValidateDistricts(seed, problems);
        var providers = ValidateProviders(seed, problems);
        var citizens = ValidateCitizens(seed, districts, problems);
        ValidateAccounts(seed, providers, citizens, problems);
        ValidateParcels(seed, providers, citizens, districts, problems);
        ValidateBenefits(seed, providers, citizens, problems);
        return problems;
    }

    private static HashSet<string> ValidateDistricts(DemoSeed seed, List<string> problems)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (district, path) in Indexed(seed.Districts, "districts", problems))
        {
            CheckKato(district.KatoCode, $"{path}.katoCode", problems);
            Require(district.Region, $"{path}.region", problems);
            Require(district.District, $"{path}.district", problems);
            if (!codes.Add(district.KatoCode))
            {
                problems.Add($"{path}.katoCode: the district is listed twice.");
            }
        }

        return codes;
    }

    private static Dictionary<string, DemoSeedProvider> ValidateProviders(DemoSeed seed, List<string> problems)
    {
        var providers = new Dictionary<string, DemoSeedProvider>(StringComparer.Ordinal);
        foreach (var (provider, path) in Indexed(seed.Providers, "providers", problems))
        {
            if (provider.Id.Length > 64 || !ProviderIdPattern().IsMatch(provider.Id))
            {
                problems.Add($"{path}.id: a provider id is 1 to 64 lower-case letters, digits and '-' (for example \"alatau-power\").");
            }
            else if (!providers.TryAdd(provider.Id, provider))
            {
                problems.Add($"{path}.id: another provider already has this id.");
            }

            Require(provider.DisplayName, $"{path}.displayName", problems);
            for (var i = 0; i < provider.KatoCodes.Count; i++)
            {
                CheckKato(provider.KatoCodes[i], $"{path}.katoCodes[{i}]", problems);
            }

            var isUtility = provider.Domain == DemoDomain.Utilities;
            if (isUtility != (provider.ServiceType is not null))
            {
                problems.Add($"{path}.serviceType: utility providers need one and other providers have none.");
            }
            else if (provider.ServiceType is { } serviceType && !IsDefinedAndSet(serviceType))
            {
                problems.Add($"{path}.serviceType: must be electricity, water, heating, gas or waste.");
            }

            var isSocial = provider.Domain == DemoDomain.SocialServices;
            if (isSocial != (provider.BenefitTypes.Count > 0))
            {
                problems.Add($"{path}.benefitTypes: social services providers list the benefits they pay and other providers list none.");
            }

            if (provider.BenefitTypes.Any(t => !IsDefinedAndSet(t)) || provider.BenefitTypes.Distinct().Count() != provider.BenefitTypes.Count)
            {
                problems.Add($"{path}.benefitTypes: every benefit type must be a defined one, listed once.");
            }
        }

        return providers;
    }

    private static Dictionary<string, DemoSeedCitizen> ValidateCitizens(DemoSeed seed, HashSet<string> districts, List<string> problems)
    {
        var citizens = new Dictionary<string, DemoSeedCitizen>(StringComparer.Ordinal);
        foreach (var (citizen, path) in Indexed(seed.Citizens, "citizens", problems))
        {
            if (Iin.Validate(citizen.Iin) is { } problem)
            {
                problems.Add($"{path}.iin: {problem.Description}");
            }
            else if (!citizens.TryAdd(citizen.Iin, citizen))
            {
                problems.Add($"{path}.iin: another citizen already has this IIN.");
            }

            Require(citizen.FullName, $"{path}.fullName", problems);
            if (CheckKato(citizen.KatoCode, $"{path}.katoCode", problems) && !districts.Contains(citizen.KatoCode))
            {
                problems.Add($"{path}.katoCode: must be one of the seed's districts.");
            }

            CheckAddress(citizen.Address, $"{path}.address", problems);
            if (citizen.Address.KatoCode != citizen.KatoCode)
            {
                problems.Add($"{path}.address.katoCode: must equal the citizen's katoCode.");
            }
        }

        return citizens;
    }

    private static void ValidateAccounts(
        DemoSeed seed, Dictionary<string, DemoSeedProvider> providers, Dictionary<string, DemoSeedCitizen> citizens, List<string> problems)
    {
        var accountNumbers = new HashSet<string>(StringComparer.Ordinal);
        var invoiceIds = new HashSet<string>(StringComparer.Ordinal);
        var paymentIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (account, path) in Indexed(seed.UtilityAccounts, "utilityAccounts", problems))
        {
            CheckId(account.AccountNumber, 32, $"{path}.accountNumber", accountNumbers, problems);
            var provider = CheckProvider(account.ProviderId, DemoDomain.Utilities, $"{path}.providerId", providers, problems);
            var citizen = CheckCitizen(account.Iin, $"{path}.iin", citizens, problems);
            if (account.Address is not null)
            {
                CheckAddress(account.Address, $"{path}.address", problems);
            }

            var premises = account.Address ?? citizen?.Address;
            if (provider is not null && premises is not null && KatoCode.IsValid(premises.KatoCode) && !provider.Serves(premises.KatoCode))
            {
                problems.Add($"{path}: the provider does not serve the district of the serviced premises.");
            }

            if (!IsDefinedAndSet(account.State))
            {
                problems.Add($"{path}.state: must be active, suspended or closed.");
            }

            ValidateMeters(account, provider?.ServiceType, path, problems);
            CheckMoney(account.Balance, $"{path}.balance", allowNegative: true, problems);

            var invoicesOfAccount = new Dictionary<string, DemoSeedInvoice>(StringComparer.Ordinal);
            foreach (var (invoice, invoicePath) in Indexed(account.Invoices, $"{path}.invoices", problems))
            {
                if (CheckId(invoice.InvoiceId, 64, $"{invoicePath}.invoiceId", invoiceIds, problems))
                {
                    invoicesOfAccount[invoice.InvoiceId] = invoice;
                }

                CheckRange(invoice.BillingPeriod, $"{invoicePath}.billingPeriod", requireEnd: true, problems);
                CheckMoney(invoice.Amount, $"{invoicePath}.amount", allowNegative: false, problems);
                if (invoice.DueDate < invoice.IssueDate || invoice.IssueDate < invoice.BillingPeriod.StartDate)
                {
                    problems.Add($"{invoicePath}: an invoice is issued after its period starts and due on or after its issue date.");
                }

                if (invoice.ConsumptionMilliUnits < 0)
                {
                    problems.Add($"{invoicePath}.consumptionMilliUnits: must be zero or positive.");
                }

                if (!IsDefinedAndSet(invoice.State))
                {
                    problems.Add($"{invoicePath}.state: must be unpaid, partially_paid, paid or overdue.");
                }
            }

            var paidPerInvoice = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (payment, paymentPath) in Indexed(account.Payments, $"{path}.payments", problems))
            {
                CheckId(payment.PaymentId, 64, $"{paymentPath}.paymentId", paymentIds, problems);
                CheckMoney(payment.Amount, $"{paymentPath}.amount", allowNegative: false, problems);
                if (payment.Amount.MinorUnits <= 0)
                {
                    problems.Add($"{paymentPath}.amount: a payment is always positive.");
                }

                if (!Enum.IsDefined(payment.Channel))
                {
                    problems.Add($"{paymentPath}.channel: must be bank, cash_desk, terminal or standing_order.");
                }

                if (payment.InvoiceId is null)
                {
                    continue;
                }

                if (!invoicesOfAccount.ContainsKey(payment.InvoiceId))
                {
                    problems.Add($"{paymentPath}.invoiceId: names no invoice of this account.");
                }
                else
                {
                    paidPerInvoice[payment.InvoiceId] = paidPerInvoice.GetValueOrDefault(payment.InvoiceId) + payment.Amount.MinorUnits;
                }
            }

            foreach (var (invoice, invoicePath) in Indexed(account.Invoices, $"{path}.invoices", problems: null))
            {
                CheckInvoiceState(invoice, paidPerInvoice.GetValueOrDefault(invoice.InvoiceId), $"{invoicePath}.state", problems);
            }

            var expectedBalance = account.Invoices.Sum(i => i.Amount.MinorUnits) - account.Payments.Sum(p => p.Amount.MinorUnits);
            if (account.Balance.MinorUnits != expectedBalance)
            {
                problems.Add($"{path}.balance: must equal the invoices' total less the payments' total ({Tenge(expectedBalance)} KZT).");
            }
        }
    }

    private static void ValidateMeters(DemoSeedUtilityAccount account, ServiceType? serviceType, string path, List<string> problems)
    {
        var expectedUnit = serviceType switch
        {
            ServiceType.Electricity => MeterUnit.KilowattHour,
            ServiceType.Water or ServiceType.Gas => MeterUnit.CubicMetre,
            ServiceType.Heating => MeterUnit.Gigacalorie,
            _ => MeterUnit.Unspecified,
        };
        if (serviceType == ServiceType.Waste && account.Meters.Count > 0)
        {
            problems.Add($"{path}.meters: waste collection is unmetered.");
        }

        var meterIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (meter, meterPath) in Indexed(account.Meters, $"{path}.meters", problems))
        {
            CheckId(meter.MeterId, 32, $"{meterPath}.meterId", meterIds, problems);
            if (expectedUnit != MeterUnit.Unspecified && meter.Unit != expectedUnit)
            {
                problems.Add($"{meterPath}.unit: the provider's service is metered in {expectedUnit}.");
            }

            if (meter.LastReadingMilliUnits < 0)
            {
                problems.Add($"{meterPath}.lastReadingMilliUnits: must be zero or positive.");
            }
        }
    }

    private static void CheckInvoiceState(DemoSeedInvoice invoice, long paid, string path, List<string> problems)
    {
        var amount = invoice.Amount.MinorUnits;
        var consistent = invoice.State switch
        {
            InvoiceState.Paid => paid >= amount,
            InvoiceState.PartiallyPaid => paid > 0 && paid < amount,
            InvoiceState.Unpaid => paid == 0,
            InvoiceState.Overdue => paid < amount,
            _ => true, // Reported as an undefined state already.
        };
        if (!consistent)
        {
            problems.Add($"{path}: is {invoice.State} but the payments naming the invoice total {Tenge(paid)} of {Tenge(amount)} KZT.");
        }
    }

    private static void ValidateParcels(
        DemoSeed seed,
        Dictionary<string, DemoSeedProvider> providers,
        Dictionary<string, DemoSeedCitizen> citizens,
        HashSet<string> districts,
        List<string> problems)
    {
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (parcel, path) in Indexed(seed.Parcels, "parcels", problems))
        {
            if (!CadastralNumberPattern().IsMatch(parcel.CadastralNumber))
            {
                problems.Add($"{path}.cadastralNumber: must have the form NN-NNN-NNN-NNN (digits).");
            }
            else if (!numbers.Add(parcel.CadastralNumber))
            {
                problems.Add($"{path}.cadastralNumber: another parcel already has this cadastral number.");
            }

            CheckProvider(parcel.ProviderId, DemoDomain.LandRegistry, $"{path}.providerId", providers, problems);
            if (parcel.AreaSquareMetres <= 0)
            {
                problems.Add($"{path}.areaSquareMetres: must be positive.");
            }

            if (!IsDefinedAndSet(parcel.Purpose))
            {
                problems.Add($"{path}.purpose: must be a defined land purpose.");
            }

            CheckAddress(parcel.Address, $"{path}.address", problems);
            if (!districts.Contains(parcel.Address.KatoCode))
            {
                problems.Add($"{path}.address.katoCode: must be one of the seed's districts.");
            }

            if (parcel.RightsHolders.Count == 0)
            {
                problems.Add($"{path}.rightsHolders: a registered parcel has at least one rights holder.");
            }

            var holders = new HashSet<string>(StringComparer.Ordinal);
            var shares = 0m;
            foreach (var (holder, holderPath) in Indexed(parcel.RightsHolders, $"{path}.rightsHolders", problems))
            {
                CheckCitizen(holder.Iin, $"{holderPath}.iin", citizens, problems);
                if (!holders.Add(holder.Iin))
                {
                    problems.Add($"{holderPath}.iin: the citizen is listed twice on the parcel.");
                }

                if (!IsDefinedAndSet(holder.RightType))
                {
                    problems.Add($"{holderPath}.rightType: must be ownership, permanent_use or temporary_use.");
                }

                if (holder.ShareNumerator <= 0 || holder.ShareDenominator < holder.ShareNumerator)
                {
                    problems.Add($"{holderPath}: a share is positive and at most one (numerator <= denominator).");
                }
                else
                {
                    shares += (decimal)holder.ShareNumerator / holder.ShareDenominator;
                }
            }

            if (parcel.RightsHolders.Count > 0 && Math.Abs(shares - 1m) > 0.0001m)
            {
                problems.Add($"{path}.rightsHolders: the holders' shares must add up to one.");
            }

            foreach (var (encumbrance, encumbrancePath) in Indexed(parcel.Encumbrances, $"{path}.encumbrances", problems))
            {
                if (!IsDefinedAndSet(encumbrance.Type))
                {
                    problems.Add($"{encumbrancePath}.type: must be mortgage, arrest, easement or lease.");
                }

                Require(encumbrance.Beneficiary, $"{encumbrancePath}.beneficiary", problems);
                if (encumbrance.EndDate < encumbrance.RegistrationDate)
                {
                    problems.Add($"{encumbrancePath}.endDate: must not be before the registration date.");
                }
            }
        }
    }

    private static void ValidateBenefits(
        DemoSeed seed, Dictionary<string, DemoSeedProvider> providers, Dictionary<string, DemoSeedCitizen> citizens, List<string> problems)
    {
        var benefitIds = new HashSet<string>(StringComparer.Ordinal);
        var paymentIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (benefit, path) in Indexed(seed.Benefits, "benefits", problems))
        {
            CheckId(benefit.BenefitId, 64, $"{path}.benefitId", benefitIds, problems);
            var provider = CheckProvider(benefit.ProviderId, DemoDomain.SocialServices, $"{path}.providerId", providers, problems);
            var citizen = CheckCitizen(benefit.Iin, $"{path}.iin", citizens, problems);
            if (provider is not null && !provider.BenefitTypes.Contains(benefit.BenefitType))
            {
                problems.Add($"{path}.benefitType: the provider does not pay this benefit.");
            }

            if (provider is not null && citizen is not null && !provider.Serves(citizen.KatoCode))
            {
                problems.Add($"{path}: the provider does not serve the recipient's district.");
            }

            if (!IsDefinedAndSet(benefit.State))
            {
                problems.Add($"{path}.state: must be active, suspended or ended.");
            }

            if (!IsDefinedAndSet(benefit.Frequency))
            {
                problems.Add($"{path}.frequency: must be monthly, quarterly or one_time.");
            }

            CheckMoney(benefit.Amount, $"{path}.amount", allowNegative: false, problems);
            CheckRange(benefit.Period, $"{path}.period", requireEnd: false, problems);
            foreach (var (payment, paymentPath) in Indexed(benefit.Payments, $"{path}.payments", problems))
            {
                CheckId(payment.PaymentId, 64, $"{paymentPath}.paymentId", paymentIds, problems);
                CheckMoney(payment.Amount, $"{paymentPath}.amount", allowNegative: false, problems);
                if (payment.Amount.MinorUnits <= 0)
                {
                    problems.Add($"{paymentPath}.amount: a payment is always positive.");
                }

                CheckRange(payment.CoveredPeriod, $"{paymentPath}.coveredPeriod", requireEnd: true, problems);
                if (!IsDefinedAndSet(payment.State))
                {
                    problems.Add($"{paymentPath}.state: must be scheduled, paid or returned.");
                }
            }
        }
    }

    private static IEnumerable<(T Item, string Path)> Indexed<T>(IReadOnlyList<T?> items, string path, List<string>? problems)
        where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is { } item)
            {
                yield return (item, $"{path}[{i}]");
            }
            else
            {
                problems?.Add($"{path}[{i}]: must not be null.");
            }
        }
    }

    private static void Require(string value, string path, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{path}: is required.");
        }
    }

    private static bool CheckKato(string value, string path, List<string> problems)
    {
        if (KatoCode.Validate(value) is { } problem)
        {
            problems.Add($"{path}: {problem.Description}");
            return false;
        }

        return true;
    }

    private static void CheckAddress(DemoSeedAddress address, string path, List<string> problems)
    {
        CheckKato(address.KatoCode, $"{path}.katoCode", problems);
        Require(address.Locality, $"{path}.locality", problems);
        Require(address.StreetAddress, $"{path}.streetAddress", problems);
        if (!PostalCodePattern().IsMatch(address.PostalCode))
        {
            problems.Add($"{path}.postalCode: a Kazakhstan postal code is 6 digits.");
        }
    }

    private static bool CheckId(string value, int maximumLength, string path, HashSet<string> seen, List<string> problems)
    {
        if (value.Length > maximumLength || !IdPattern().IsMatch(value))
        {
            problems.Add($"{path}: must be 1 to {maximumLength} characters of A-Z, a-z, 0-9 and '-'.");
            return false;
        }

        if (!seen.Add(value))
        {
            problems.Add($"{path}: another item already has this id.");
            return false;
        }

        return true;
    }

    private static DemoSeedProvider? CheckProvider(
        string providerId, DemoDomain domain, string path, Dictionary<string, DemoSeedProvider> providers, List<string> problems)
    {
        if (!providers.TryGetValue(providerId, out var provider))
        {
            problems.Add($"{path}: names no provider of the seed.");
            return null;
        }

        if (provider.Domain != domain)
        {
            problems.Add($"{path}: names a {provider.Domain} provider where a provider of another domain is needed.");
            return null;
        }

        return provider;
    }

    private static DemoSeedCitizen? CheckCitizen(string iin, string path, Dictionary<string, DemoSeedCitizen> citizens, List<string> problems)
    {
        if (citizens.TryGetValue(iin, out var citizen))
        {
            return citizen;
        }

        problems.Add($"{path}: names no citizen of the seed.");
        return null;
    }

    private static void CheckMoney(DemoSeedMoney money, string path, bool allowNegative, List<string> problems)
    {
        if (money.CurrencyCode != Currency)
        {
            problems.Add($"{path}.currencyCode: must be \"{Currency}\".");
        }

        if (!allowNegative && money.MinorUnits < 0)
        {
            problems.Add($"{path}.minorUnits: must not be negative.");
        }
    }

    private static void CheckRange(DemoSeedDateRange range, string path, bool requireEnd, List<string> problems)
    {
        if (range.EndDate is null && requireEnd)
        {
            problems.Add($"{path}.endDate: is required.");
        }
        else if (range.EndDate < range.StartDate)
        {
            problems.Add($"{path}.endDate: must not be before startDate.");
        }
    }

    private static bool IsDefinedAndSet<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) && Convert.ToInt32(value, CultureInfo.InvariantCulture) != 0;

    private static string Tenge(long minorUnits) =>
        (minorUnits / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex ProviderIdPattern();

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\d{2}-\d{3}-\d{3}-\d{3}$")]
    private static partial Regex CadastralNumberPattern();

    [GeneratedRegex(@"^\d{6}$")]
    private static partial Regex PostalCodePattern();
}
