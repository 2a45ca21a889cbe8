using Grpc.Core;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Conformance.Checks;

/// <summary>The checks of <c>providergateway.utilities.v1.UtilitiesService</c>.</summary>
internal sealed class UtilitiesSuite : ContractSuite
{
    private const string AccountType = "utilities.v1.Account";
    private const string MeterType = "utilities.v1.Meter";
    private const string MissingAccount = "NO-SUCH-ACCOUNT-0";
    private const string MissingMeter = "NO-SUCH-METER-0";
    private const string MalformedAccount = "AP 1952/000105";

    private readonly UtilitiesService.UtilitiesServiceClient _client;
    private readonly Func<CancellationToken, Task<IReadOnlyList<Account>>> _accounts;
    private readonly Func<CancellationToken, Task<Account>> _billedAccount;
    private readonly Func<CancellationToken, Task<IReadOnlyList<Account>>> _otherAccounts;
    private readonly Func<CancellationToken, Task<(string Iin, Account Account)>> _closedAccount;
    private readonly Write<CreateMeterReadingRequest, CreateMeterReadingResponse> _readings;

    public UtilitiesSuite(ConformanceTarget target, KitOptions options)
        : base(target, options)
    {
        _client = new UtilitiesService.UtilitiesServiceClient(target.Channel);
        _accounts = Fixture("the test citizen's accounts", LoadAccountsAsync);
        _billedAccount = Fixture("the test citizen's account with the most invoices", LoadBilledAccountAsync);
        _otherAccounts = Fixture("the other test citizen's accounts", LoadOtherAccountsAsync);
        _closedAccount = Fixture("a CLOSED account with a meter", LoadClosedAccountAsync);
        _readings = new(
            "CreateMeterReading",
            "reading",
            NewReadingAsync,
            r => r.ValueMilliUnits += 1000,
            (r, call) => _client.CreateMeterReadingAsync(r, call).ResponseAsync,
            r => r.Reading?.ReadingId);
    }

    public override string ServiceName => UtilitiesService.Descriptor.FullName;

    protected override Task ProbeAsync(CallOptions call) =>
        _client.ListAccountsAsync(new ListAccountsRequest { Iin = Options.CitizenIin }, call).ResponseAsync;

    protected override IEnumerable<ConformanceCheck> WriteChecks() => IdempotencyChecks(_readings);

    protected override IEnumerable<ConformanceCheck> ValidationChecks()
    {
        const string BadIinSent = "an IIN with a wrong check digit";
        yield return Check("validation.iin.ListAccounts", "ListAccounts refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListAccountsAsync(new() { Iin = BadIin }, Target.Call(ct)).ResponseAsync, "iin", BadIinSent));
        yield return Check("validation.iin.GetAccountBalance", "GetAccountBalance refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.GetAccountBalanceAsync(new() { Iin = BadIin, AccountNumber = (await _billedAccount(ct)).AccountNumber }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.iin.ListInvoices", "ListInvoices refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListInvoicesAsync(new() { Iin = BadIin, AccountNumber = (await _billedAccount(ct)).AccountNumber }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.iin.ListPayments", "ListPayments refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListPaymentsAsync(new() { Iin = BadIin, AccountNumber = (await _billedAccount(ct)).AccountNumber }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.iin.CreateMeterReading", "CreateMeterReading refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => RefusedAsync(_readings, r => r.Iin = BadIin, "iin", BadIinSent, ct));

        yield return Check("validation.page_size.ListAccounts", "ListAccounts refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = -1 }, Target.Call(ct)).ResponseAsync, "page_size", "page_size -1"));
        yield return Check("validation.page_size.ListInvoices", "ListInvoices refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = (await _billedAccount(ct)).AccountNumber, PageSize = -1 }, Target.Call(ct)), "page_size", "page_size -1"));
        yield return Check("validation.page_size.ListPayments", "ListPayments refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = (await _billedAccount(ct)).AccountNumber, PageSize = -1 }, Target.Call(ct)), "page_size", "page_size -1"));

        const string ForgedToken = "a page_token the provider never issued";
        yield return Check("validation.page_token.ListAccounts", "ListAccounts refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageToken = ForgedPageToken }, Target.Call(ct)).ResponseAsync, "page_token", ForgedToken));
        yield return Check("validation.page_token.ListInvoices", "ListInvoices refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = (await _billedAccount(ct)).AccountNumber, PageToken = ForgedPageToken }, Target.Call(ct)), "page_token", ForgedToken));
        yield return Check("validation.page_token.ListPayments", "ListPayments refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = (await _billedAccount(ct)).AccountNumber, PageToken = ForgedPageToken }, Target.Call(ct)), "page_token", ForgedToken));

        yield return ForeignPageTokenCheck("ListAccounts",
            async ct => (await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = 1 }, Target.Call(ct))).NextPageToken,
            (token, call) => _client.ListAccountsAsync(new() { Iin = Options.OtherCitizenIin, PageSize = 1, PageToken = token }, call).ResponseAsync);
        yield return ForeignPageTokenCheck("ListInvoices",
            async ct => (await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = (await _billedAccount(ct)).AccountNumber, PageSize = 1 }, Target.Call(ct))).NextPageToken,
            async (token, call) => await _client.ListInvoicesAsync(new() { Iin = Options.OtherCitizenIin, AccountNumber = await OtherAccountAsync(call.CancellationToken), PageSize = 1, PageToken = token }, call));
        yield return ForeignPageTokenCheck("ListPayments",
            async ct => (await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = await PaidAccountAsync(ct), PageSize = 1 }, Target.Call(ct))).NextPageToken,
            async (token, call) => await _client.ListPaymentsAsync(new() { Iin = Options.OtherCitizenIin, AccountNumber = await OtherAccountAsync(call.CancellationToken), PageSize = 1, PageToken = token }, call));

        yield return Check("validation.request_id.CreateMeterReading", "CreateMeterReading without request_id, or with one that is not a UUID, is INVALID_ARGUMENT with a BadRequest violation of 'request_id'.",
            async ct =>
            {
                await RefusedAsync(_readings, r => r.RequestId = "", "request_id", "a write without request_id", ct);
                await RefusedAsync(_readings, r => r.RequestId = "reading-1", "request_id", "a write whose request_id 'reading-1' is not a UUID", ct);
            });
        yield return Check("validation.value_milli_units.CreateMeterReading", "CreateMeterReading of a negative value is INVALID_ARGUMENT with a BadRequest violation of 'value_milli_units'.",
            ct => RefusedAsync(_readings, r => r.ValueMilliUnits = -1000, "value_milli_units", "a reading of -1000 milli-units", ct));
        yield return Check("validation.reading_date.CreateMeterReading.future", "CreateMeterReading dated tomorrow in Kazakhstan (UTC+5) is INVALID_ARGUMENT with a BadRequest violation of 'reading_date'.",
            ct => RefusedAsync(_readings, r => r.ReadingDate = Day(TodayInKazakhstan(ahead: TimeSpan.FromMinutes(1)).AddDays(1)), "reading_date", "a reading dated tomorrow in Kazakhstan", ct));
        yield return Check("validation.reading_date.CreateMeterReading.malformed", "CreateMeterReading without a reading date, or dated 30 February, is INVALID_ARGUMENT with a BadRequest violation of 'reading_date'.",
            async ct =>
            {
                await RefusedAsync(_readings, r => r.ReadingDate = null, "reading_date", "a reading without reading_date", ct);
                await RefusedAsync(_readings, r => r.ReadingDate = new() { Year = TodayInKazakhstan().Year - 1, Month = 2, Day = 30 }, "reading_date", "a reading dated 30 February", ct);
            });
    }

    protected override IEnumerable<ConformanceCheck> FormatChecks()
    {
        yield return FormatCheck("GetAccountBalance", "account_number", MalformedAccount,
            (account, call) => _client.GetAccountBalanceAsync(new() { Iin = Options.CitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return FormatCheck("ListInvoices", "account_number", MalformedAccount,
            (account, call) => _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return FormatCheck("ListPayments", "account_number", MalformedAccount,
            (account, call) => _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return FormatCheck("CreateMeterReading", "account_number", MalformedAccount,
            async (account, call) => await _readings.SendChangedAsync(r => r.AccountNumber = account, call));
        yield return FormatCheck("CreateMeterReading", "meter_id", "EM 1",
            async (meter, call) => await _readings.SendChangedAsync(r => r.MeterId = meter, call));
    }

    protected override IEnumerable<ConformanceCheck> NotFoundChecks()
    {
        const string Unknown = "an unknown account";
        yield return NotFoundCheck("GetAccountBalance", Unknown, AccountType, MissingAccount,
            call => _client.GetAccountBalanceAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, call).ResponseAsync);
        yield return NotFoundCheck("ListInvoices", Unknown, AccountType, MissingAccount,
            call => _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, call).ResponseAsync);
        yield return NotFoundCheck("ListPayments", Unknown, AccountType, MissingAccount,
            call => _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, call).ResponseAsync);
        yield return NotFoundCheck("CreateMeterReading.account", Unknown, AccountType, MissingAccount,
            async call => await _readings.SendChangedAsync(r => r.AccountNumber = MissingAccount, call));
        yield return NotFoundCheck("CreateMeterReading.meter", "a meter that is not on the test citizen's account", MeterType, MissingMeter,
            async call => await _readings.SendChangedAsync(r => r.MeterId = MissingMeter, call));
    }

    protected override IEnumerable<ConformanceCheck> OtherCitizenChecks()
    {
        Func<CancellationToken, Task<string>> billed = async ct => (await _billedAccount(ct)).AccountNumber;
        yield return OtherCitizenCheck("GetAccountBalance", "account", AccountType, billed,
            (account, call) => _client.GetAccountBalanceAsync(new() { Iin = Options.OtherCitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return OtherCitizenCheck("ListInvoices", "account", AccountType, billed,
            (account, call) => _client.ListInvoicesAsync(new() { Iin = Options.OtherCitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return OtherCitizenCheck("ListPayments", "account", AccountType, PaidAccountAsync,
            (account, call) => _client.ListPaymentsAsync(new() { Iin = Options.OtherCitizenIin, AccountNumber = account }, call).ResponseAsync);
        yield return OtherCitizenCheck("CreateMeterReading", "metered account", AccountType,
            async ct => (await NewReadingAsync(ct)).AccountNumber,
            async (account, call) => await _readings.SendChangedAsync(
                r =>
                {
                    r.Iin = Options.OtherCitizenIin;
                    r.AccountNumber = account;
                },
                call));
    }

    protected override IEnumerable<ConformanceCheck> UnknownCitizenAndPagingChecks()
    {
        yield return Check("unknown_citizen.ListAccounts", "ListAccounts of a valid IIN the provider does not know is an empty last page, not an error.",
            async ct =>
            {
                var response = await _client.ListAccountsAsync(new() { Iin = Options.UnknownIin }, Target.Call(ct));
                Expect.That(response.Accounts.Count == 0 && response.NextPageToken.Length == 0,
                    $"ListAccounts of an unknown citizen returned {response.Accounts.Count} account(s) and next_page_token '{response.NextPageToken}'; expected an empty last page");
            });

        yield return Check("paging.ListAccounts", "ListAccounts pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            ct => PagingCheck.CheckAsync("ListAccounts", async (size, token) =>
            {
                var page = await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = size, PageToken = token }, Target.Call(ct));
                return new Page([.. page.Accounts.Select(a => a.AccountNumber)], page.NextPageToken);
            }));
        yield return Check("paging.ListInvoices", "ListInvoices pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            async ct =>
            {
                var account = (await _billedAccount(ct)).AccountNumber;
                await PagingCheck.CheckAsync("ListInvoices", async (size, token) =>
                {
                    var page = await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = account, PageSize = size, PageToken = token }, Target.Call(ct));
                    return new Page([.. page.Invoices.Select(i => i.InvoiceId)], page.NextPageToken);
                });
            });
        yield return Check("paging.ListPayments", "ListPayments pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            async ct =>
            {
                var account = await PaidAccountAsync(ct);
                await PagingCheck.CheckAsync("ListPayments", async (size, token) =>
                {
                    var page = await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = account, PageSize = size, PageToken = token }, Target.Call(ct));
                    return new Page([.. page.Payments.Select(p => p.PaymentId)], page.NextPageToken);
                });
            });
    }

    protected override IEnumerable<ConformanceCheck> DataChecks()
    {
        yield return Check("data.ListAccounts", "Accounts have a number, a service type, a state, an address with a KATO code, an opening time and well-formed meters.",
            async ct => CheckAccounts(await _accounts(ct)));
        yield return Check("data.GetAccountBalance", "A balance names its account, has balance and amount due in tiyn with currency KZT, and an as-of time.",
            async ct =>
            {
                var account = (await _billedAccount(ct)).AccountNumber;
                var balance = (await _client.GetAccountBalanceAsync(new() { Iin = Options.CitizenIin, AccountNumber = account }, Target.Call(ct))).Balance;
                var problems = new DataProblems();
                if (balance is null)
                {
                    problems.Add("balance", "is not set");
                }
                else
                {
                    Expect.That(balance.AccountNumber == account, $"GetAccountBalance answered for account '{balance.AccountNumber}', asked for '{account}'");
                    problems.Money("balance.balance", balance.Balance, mayBeNegative: true);
                    problems.Money("balance.amount_due", balance.AmountDue);
                    problems.Date("balance.due_date", balance.DueDate, required: false);
                    problems.Timestamp("balance.as_of_time", balance.AsOfTime);
                }

                problems.ThrowIfAny("GetAccountBalance");
            });
        yield return Check("data.ListInvoices", "Invoices have an id, the account, a billing period, an amount in tiyn KZT, issue and due dates and a state.",
            async ct =>
            {
                var account = (await _billedAccount(ct)).AccountNumber;
                var invoices = (await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = account, PageSize = 100 }, Target.Call(ct))).Invoices;
                var problems = new DataProblems();
                for (var i = 0; i < invoices.Count; i++)
                {
                    var invoice = invoices[i];
                    var path = $"invoices[{i}]";
                    problems.Required(path + ".invoice_id", invoice.InvoiceId);
                    if (invoice.AccountNumber != account)
                    {
                        problems.Add(path + ".account_number", $"is '{invoice.AccountNumber}', the list was asked for '{account}'");
                    }

                    problems.DateRange(path + ".billing_period", invoice.BillingPeriod);
                    problems.Money(path + ".amount", invoice.Amount);
                    problems.OptionalEnum(path + ".consumption_unit", invoice.ConsumptionUnit); // "UNSPECIFIED for unmetered services"
                    problems.Date(path + ".issue_date", invoice.IssueDate);
                    problems.Date(path + ".due_date", invoice.DueDate);
                    problems.Enum(path + ".state", invoice.State);
                }

                problems.ThrowIfAny("ListInvoices");
            });
        yield return Check("data.ListPayments", "Payments have an id, the account, a positive amount in tiyn KZT, a payment time and a channel (optional: UNSPECIFIED when unknown).",
            async ct =>
            {
                var account = await PaidAccountAsync(ct);
                var payments = (await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = account, PageSize = 100 }, Target.Call(ct))).Payments;
                var problems = new DataProblems();
                for (var i = 0; i < payments.Count; i++)
                {
                    var payment = payments[i];
                    var path = $"payments[{i}]";
                    problems.Required(path + ".payment_id", payment.PaymentId);
                    problems.Money(path + ".amount", payment.Amount);
                    problems.Timestamp(path + ".paid_time", payment.PaidTime);
                    problems.OptionalEnum(path + ".channel", payment.Channel); // "How the payment was made. Optional."
                }

                problems.ThrowIfAny("ListPayments");
            });
        yield return Check("data.CreateMeterReading", "A reading dated today in Kazakhstan (UTC+5) is accepted: it has an id, echoes account, meter, value and date, and has an acceptance time.",
            async ct =>
            {
                var request = await NewReadingAsync(ct);
                var reading = (await _client.CreateMeterReadingAsync(request, Target.Call(ct))).Reading;
                var problems = new DataProblems();
                if (reading is null)
                {
                    problems.Add("reading", "is not set");
                }
                else
                {
                    problems.Required("reading.reading_id", reading.ReadingId);
                    if (reading.AccountNumber != request.AccountNumber || reading.MeterId != request.MeterId || reading.ValueMilliUnits != request.ValueMilliUnits
                        || !Equals(reading.ReadingDate, request.ReadingDate))
                    {
                        problems.Add("reading", "does not echo the account number, meter id, value and reading date sent");
                    }

                    problems.Date("reading.reading_date", reading.ReadingDate);
                    problems.Timestamp("reading.accept_time", reading.AcceptTime);
                }

                problems.ThrowIfAny("CreateMeterReading");
            });
    }

    protected override IEnumerable<ConformanceCheck> PreconditionChecks()
    {
        yield return Check("precondition.CreateMeterReading.below_last_reading",
            "CreateMeterReading below the meter's last accepted reading is FAILED_PRECONDITION with a PreconditionFailure and the reason READING_BELOW_LAST_READING.",
            async ct =>
            {
                var accepted = await NewReadingAsync(ct);
                await _client.CreateMeterReadingAsync(accepted, Target.Call(ct));
                var below = accepted.Clone();
                below.RequestId = NewRequestId();
                below.ValueMilliUnits -= 1;
                await Expect.FailedPreconditionAsync(() => _client.CreateMeterReadingAsync(below, Target.Call(ct)).ResponseAsync, "READING_BELOW_LAST_READING",
                    "a reading 1 milli-unit below the one just accepted");
            });
        yield return Check("precondition.CreateMeterReading.closed_account",
            "CreateMeterReading on a CLOSED account is FAILED_PRECONDITION with a PreconditionFailure and the reason ACCOUNT_CLOSED.",
            async ct =>
            {
                var (iin, closed) = await _closedAccount(ct);
                await Expect.FailedPreconditionAsync(() => _client.CreateMeterReadingAsync(ReadingOf(iin, closed), Target.Call(ct)).ResponseAsync, "ACCOUNT_CLOSED",
                    "a reading on a CLOSED account");
            });
    }

    private async Task<IReadOnlyList<Account>> LoadAccountsAsync(CancellationToken ct)
    {
        var accounts = (await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct))).Accounts;
        Expect.That(accounts.Count > 0, "the provider lists no account for the test citizen; pass --citizen-iin of a test citizen who holds accounts with it");
        return accounts;
    }

    private async Task<IReadOnlyList<Account>> LoadOtherAccountsAsync(CancellationToken ct)
    {
        var accounts = (await _client.ListAccountsAsync(new() { Iin = Options.OtherCitizenIin, PageSize = 100 }, Target.Call(ct))).Accounts;
        Expect.That(accounts.Count > 0, "the provider lists no account for the other test citizen; pass --other-citizen-iin of a second test citizen who holds an account with it");
        return accounts;
    }

    private async Task<string> OtherAccountAsync(CancellationToken ct) => (await _otherAccounts(ct))[0].AccountNumber;

    /// <summary>A CLOSED account with a meter, of the test citizen or of the other test citizen.</summary>
    private async Task<(string Iin, Account Account)> LoadClosedAccountAsync(CancellationToken ct)
    {
        foreach (var (iin, accounts) in new[] { (Options.CitizenIin, await _accounts(ct)), (Options.OtherCitizenIin, await _otherAccounts(ct)) })
        {
            if (accounts.FirstOrDefault(a => a.State == AccountState.Closed && a.Meters.Count > 0) is { } closed)
            {
                return (iin, closed);
            }
        }

        throw new ConformanceFailure("neither test citizen holds a CLOSED account with a meter; one of them (--citizen-iin, --other-citizen-iin) must, for this check");
    }

    private async Task<Account> LoadBilledAccountAsync(CancellationToken ct)
    {
        Account? best = null;
        var most = -1;
        foreach (var account in await _accounts(ct))
        {
            var invoices = (await _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = account.AccountNumber, PageSize = 100 }, Target.Call(ct))).Invoices.Count;
            if (invoices > most)
            {
                (best, most) = (account, invoices);
            }
        }

        return best!;
    }

    private async Task<string> PaidAccountAsync(CancellationToken ct)
    {
        var best = (await _billedAccount(ct)).AccountNumber;
        var most = -1;
        foreach (var account in await _accounts(ct))
        {
            var payments = (await _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = account.AccountNumber, PageSize = 100 }, Target.Call(ct))).Payments.Count;
            if (payments > most)
            {
                (best, most) = (account.AccountNumber, payments);
            }
        }

        return best;
    }

    /// <summary>
    /// A valid new reading: the first meter of the test citizen's first ACTIVE (or SUSPENDED) metered account, 1 unit above
    /// its last reading as listed now (earlier checks may have raised it), read today in Kazakhstan (as of a minute ago).
    /// </summary>
    private async Task<CreateMeterReadingRequest> NewReadingAsync(CancellationToken ct)
    {
        var metered = (await _accounts(ct)).FirstOrDefault(a => a.Meters.Count > 0 && a.State != AccountState.Closed)
            ?? throw new ConformanceFailure("none of the test citizen's open accounts has a meter; CreateMeterReading cannot be checked (choose another --citizen-iin)");
        var current = await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct));
        return ReadingOf(Options.CitizenIin, current.Accounts.FirstOrDefault(a => a.AccountNumber == metered.AccountNumber && a.Meters.Count > 0) ?? metered);
    }

    private static CreateMeterReadingRequest ReadingOf(string iin, Account account) => new()
    {
        RequestId = NewRequestId(),
        Iin = iin,
        AccountNumber = account.AccountNumber,
        MeterId = account.Meters[0].MeterId,
        ValueMilliUnits = account.Meters[0].LastReadingMilliUnits + 1000,
        ReadingDate = Day(TodayInKazakhstan(ahead: -TimeSpan.FromMinutes(1))),
    };

    private static void CheckAccounts(IReadOnlyList<Account> accounts)
    {
        var problems = new DataProblems();
        for (var i = 0; i < accounts.Count; i++)
        {
            var account = accounts[i];
            var path = $"accounts[{i}]";
            problems.Required(path + ".account_number", account.AccountNumber);
            problems.Enum(path + ".service_type", account.ServiceType);
            problems.Enum(path + ".state", account.State);
            problems.Address(path + ".address", account.Address);
            problems.Timestamp(path + ".open_time", account.OpenTime);
            for (var m = 0; m < account.Meters.Count; m++)
            {
                var meter = account.Meters[m];
                problems.Required($"{path}.meters[{m}].meter_id", meter.MeterId);
                problems.Enum($"{path}.meters[{m}].unit", meter.Unit);
                problems.Date($"{path}.meters[{m}].last_reading_date", meter.LastReadingDate, required: false);
            }
        }

        problems.ThrowIfAny("ListAccounts");
    }
}
