using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.DemoProviders.Data;

public sealed partial class DemoDataStore
{
    /// <summary>The resource type of an account in NOT_FOUND errors.</summary>
    public const string AccountResourceType = "utilities.v1.Account";

    /// <summary>The resource type of a meter in NOT_FOUND errors.</summary>
    public const string MeterResourceType = "utilities.v1.Meter";

    private const string AccountNotFound = "No such account for this citizen.";

    private readonly Dictionary<string, AccountEntry> _accounts;
    private readonly Dictionary<string, AccountEntry[]> _accountsByIin;

    private readonly IdempotentWrites<CreateMeterReadingRequest, MeterReading> _meterReadings =
        new(r => r.RequestId, r => r.RequestId = "");

    /// <summary>The citizen's accounts with this provider, ordered by account number; empty for an unknown IIN.</summary>
    public IReadOnlyList<Account> ListAccounts(string iin) =>
        _accountsByIin.TryGetValue(iin, out var entries) ? Array.ConvertAll(entries, e => e.Contract) : Empty<Account>();

    /// <summary>The balance of one of the citizen's accounts, as of now.</summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when the account does not exist or is not the citizen's.</exception>
    public AccountBalance GetAccountBalance(string iin, string accountNumber)
    {
        var entry = OwnedAccount(iin, accountNumber);
        var balance = entry.Seed.Balance.MinorUnits;
        var result = new AccountBalance
        {
            AccountNumber = entry.Seed.AccountNumber,
            Balance = ContractMapping.Money(balance),
            AmountDue = ContractMapping.Money(Math.Max(balance, 0)),
            AsOfTime = ContractMapping.Time(Now),
        };
        if (balance > 0)
        {
            result.DueDate = ContractMapping.Date(NextDueDate(entry.Seed, Today));
        }

        return result;
    }

    /// <summary>The invoices of one of the citizen's accounts, newest billing period first, each in its state today.</summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when the account does not exist or is not the citizen's.</exception>
    public IReadOnlyList<Invoice> ListInvoices(string iin, string accountNumber) => InStateOn(OwnedAccount(iin, accountNumber).Invoices, Today);

    /// <summary>The payments of one of the citizen's accounts, newest first.</summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when the account does not exist or is not the citizen's.</exception>
    public IReadOnlyList<Payment> ListPayments(string iin, string accountNumber) => OwnedAccount(iin, accountNumber).Payments;

    /// <summary>
    /// Accepts a meter reading (whose fields the caller has checked) once per request_id and makes it
    /// the meter's last reading, so later <see cref="ListAccounts"/> calls show it.
    /// </summary>
    /// <param name="request">The checked request.</param>
    /// <param name="client">The calling gateway client (<c>x-client-id</c>), the scope of the request_id.</param>
    /// <param name="replayed">True when the answer is that of an earlier request with the same request_id.</param>
    /// <exception cref="Grpc.Core.RpcException">
    /// NOT_FOUND for an unknown account or meter, FAILED_PRECONDITION for a closed account or a reading
    /// below (or dated before) the last one, ALREADY_EXISTS for a request_id used with another payload.
    /// </exception>
    public MeterReading CreateMeterReading(CreateMeterReadingRequest request, string client, out bool replayed) =>
        _meterReadings.Execute(request, client, Writes, () => AcceptMeterReading(request), out replayed);

    private MeterReading AcceptMeterReading(CreateMeterReadingRequest request)
    {
        var entry = OwnedAccount(request.Iin, request.AccountNumber);
        var account = entry.Contract;
        var meterIndex = IndexOfMeter(account, request.MeterId);
        if (meterIndex < 0)
        {
            throw RpcErrors.NotFound(MeterResourceType, request.MeterId, "No such meter on this account.");
        }

        var meter = account.Meters[meterIndex];
        var subject = $"meters/{request.MeterId}";
        if (account.State == AccountState.Closed)
        {
            throw RpcErrors.FailedPrecondition("ACCOUNT_STATE", "account", "The account is closed; it takes no more readings.", "ACCOUNT_CLOSED");
        }

        if (request.ValueMilliUnits < meter.LastReadingMilliUnits)
        {
            throw RpcErrors.FailedPrecondition(
                "METER_READING", subject, "The reading is below the meter's last accepted reading.", "READING_BELOW_LAST_READING");
        }

        var readingDate = new DateOnly(request.ReadingDate.Year, request.ReadingDate.Month, request.ReadingDate.Day);
        if (meter.LastReadingDate is { } last && readingDate < new DateOnly(last.Year, last.Month, last.Day))
        {
            throw RpcErrors.FailedPrecondition(
                "METER_READING", subject, "The reading is dated before the meter's last accepted reading.", "READING_DATE_BEFORE_LAST_READING");
        }

        var reading = new MeterReading
        {
            ReadingId = NextId("MR"),
            AccountNumber = account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = request.ValueMilliUnits,
            ReadingDate = request.ReadingDate.Clone(),
            AcceptTime = ContractMapping.Time(Now),
        };

        // Publish a new message rather than change the shared one: readers may be serialising it right now.
        var updated = account.Clone();
        updated.Meters[meterIndex].LastReadingMilliUnits = reading.ValueMilliUnits;
        updated.Meters[meterIndex].LastReadingDate = reading.ReadingDate.Clone();
        entry.Contract = updated;
        return reading;
    }

    /// <summary>
    /// The invoices as they stand on <paramref name="today"/>: the seed records each state as it was written, and
    /// an invoice not paid in full turns OVERDUE the day after its due date, partly paid or not (OVERDUE wins over
    /// PARTIALLY_PAID, as the contract says; its partial payments stay in ListPayments).
    /// </summary>
    private static IReadOnlyList<Invoice> InStateOn(IReadOnlyList<Invoice> invoices, DateOnly today)
    {
        return invoices.Any(PastDue) ? [.. invoices.Select(i => PastDue(i) ? Overdue(i) : i)] : invoices;

        bool PastDue(Invoice invoice) =>
            invoice.State is InvoiceState.Unpaid or InvoiceState.PartiallyPaid
            && new DateOnly(invoice.DueDate.Year, invoice.DueDate.Month, invoice.DueDate.Day) < today;

        // A new message rather than a change: the seed's invoices are shared by every reader.
        static Invoice Overdue(Invoice invoice)
        {
            var overdue = invoice.Clone();
            overdue.State = InvoiceState.Overdue;
            return overdue;
        }
    }

    private static int IndexOfMeter(Account account, string meterId)
    {
        for (var i = 0; i < account.Meters.Count; i++)
        {
            if (account.Meters[i].MeterId == meterId)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The day the outstanding amount is due: the latest invoice's due date while it is ahead, otherwise
    /// the next 25th, the due day of combined bills.
    /// </summary>
    private static DateOnly NextDueDate(DemoSeedUtilityAccount account, DateOnly today)
    {
        var latest = account.Invoices.Count == 0 ? (DateOnly?)null : account.Invoices.Max(i => i.DueDate);
        if (latest >= today)
        {
            return latest.Value;
        }

        var thisMonth = new DateOnly(today.Year, today.Month, 25);
        return thisMonth >= today ? thisMonth : thisMonth.AddMonths(1);
    }

    private AccountEntry OwnedAccount(string iin, string accountNumber) =>
        _accounts.TryGetValue(accountNumber, out var entry) && entry.Seed.Iin == iin
            ? entry
            : throw RpcErrors.NotFound(AccountResourceType, accountNumber, AccountNotFound);

    private (Dictionary<string, AccountEntry>, Dictionary<string, AccountEntry[]>) IndexAccounts()
    {
        var entries = Seed.UtilityAccounts
            .Where(a => a.ProviderId == Provider.Id)
            .Select(a =>
            {
                var premises = a.Address ?? Seed.FindCitizen(a.Iin)!.Address;
                return new AccountEntry(
                    a,
                    ContractMapping.Account(a, Provider, premises, Seed),
                    [.. a.Invoices.OrderByDescending(i => i.BillingPeriod.StartDate).ThenBy(i => i.InvoiceId, StringComparer.Ordinal)
                        .Select(i => ContractMapping.Invoice(i, a))],
                    [.. a.Payments.OrderByDescending(p => p.PaidTime).ThenBy(p => p.PaymentId, StringComparer.Ordinal)
                        .Select(p => ContractMapping.Payment(p, a))]);
            })
            .ToList();
        return (
            entries.ToDictionary(e => e.Seed.AccountNumber, StringComparer.Ordinal),
            entries.GroupBy(e => e.Seed.Iin, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Seed.AccountNumber, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal));
    }

    private sealed class AccountEntry(DemoSeedUtilityAccount seed, Account contract, IReadOnlyList<Invoice> invoices, IReadOnlyList<Payment> payments)
    {
        private Account _contract = contract;

        public DemoSeedUtilityAccount Seed { get; } = seed;

        /// <summary>The account as the contract shows it; replaced as a whole when a meter reading is accepted.</summary>
        public Account Contract
        {
            get => Volatile.Read(ref _contract);
            set => Volatile.Write(ref _contract, value);
        }

        public IReadOnlyList<Invoice> Invoices { get; } = invoices;

        public IReadOnlyList<Payment> Payments { get; } = payments;
    }
}
