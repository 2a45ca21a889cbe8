using Grpc.Core;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Conformance.Checks;

/// <summary>The checks of <c>providergateway.utilities.v1.UtilitiesService</c>.</summary>
internal sealed class UtilitiesSuite : ContractSuite
{
    private const string AccountType = "utilities.v1.Account";
    private const string MissingAccount = "NO-SUCH-ACCOUNT-0";

    private readonly UtilitiesService.UtilitiesServiceClient _client;
    private readonly Func<CancellationToken, Task<IReadOnlyList<Account>>> _accounts;
    private readonly Func<CancellationToken, Task<Account>> _billedAccount;

    public UtilitiesSuite(ConformanceTarget target, KitOptions options)
        : base(target, options)
    {
        _client = new UtilitiesService.UtilitiesServiceClient(target.Channel);
        _accounts = Fixture("the test citizen's accounts", LoadAccountsAsync);
        _billedAccount = Fixture("the test citizen's account with the most invoices", LoadBilledAccountAsync);
    }

    public override string ServiceName => UtilitiesService.Descriptor.FullName;

    protected override Task ProbeAsync(CallOptions call) =>
        _client.ListAccountsAsync(new ListAccountsRequest { Iin = Options.CitizenIin }, call).ResponseAsync;

    protected override IEnumerable<ConformanceCheck> ContractChecks()
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
            async ct =>
            {
                var request = await NewReadingAsync(ct);
                request.Iin = BadIin;
                await Expect.InvalidArgumentAsync(() => _client.CreateMeterReadingAsync(request, Target.Call(ct)).ResponseAsync, "iin", BadIinSent);
            });

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

        yield return Check("validation.request_id.CreateMeterReading", "CreateMeterReading without request_id is INVALID_ARGUMENT with a BadRequest violation of 'request_id'.",
            async ct =>
            {
                var request = await NewReadingAsync(ct);
                request.RequestId = "";
                await Expect.InvalidArgumentAsync(() => _client.CreateMeterReadingAsync(request, Target.Call(ct)).ResponseAsync, "request_id", "a write without request_id");
            });

        const string MissingSent = "an account number the provider does not have";
        yield return Check("not_found.GetAccountBalance", "GetAccountBalance of an unknown account is NOT_FOUND with a ResourceInfo of type utilities.v1.Account.",
            ct => Expect.NotFoundAsync(() => _client.GetAccountBalanceAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, Target.Call(ct)).ResponseAsync, AccountType, MissingSent));
        yield return Check("not_found.ListInvoices", "ListInvoices of an unknown account is NOT_FOUND with a ResourceInfo of type utilities.v1.Account.",
            ct => Expect.NotFoundAsync(() => _client.ListInvoicesAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, Target.Call(ct)).ResponseAsync, AccountType, MissingSent));
        yield return Check("not_found.ListPayments", "ListPayments of an unknown account is NOT_FOUND with a ResourceInfo of type utilities.v1.Account.",
            ct => Expect.NotFoundAsync(() => _client.ListPaymentsAsync(new() { Iin = Options.CitizenIin, AccountNumber = MissingAccount }, Target.Call(ct)).ResponseAsync, AccountType, MissingSent));
        yield return Check("not_found.GetAccountBalance.other_citizen", "GetAccountBalance of the test citizen's account asked with another citizen's IIN is NOT_FOUND (never another person's balance).",
            async ct => await Expect.NotFoundAsync(async () => await _client.GetAccountBalanceAsync(new() { Iin = Options.UnknownIin, AccountNumber = (await _billedAccount(ct)).AccountNumber }, Target.Call(ct)), AccountType, "an account of another citizen"));

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
                    problems.Date(path + ".issue_date", invoice.IssueDate);
                    problems.Date(path + ".due_date", invoice.DueDate);
                    problems.Enum(path + ".state", invoice.State);
                }

                problems.ThrowIfAny("ListInvoices");
            });
        yield return Check("data.ListPayments", "Payments have an id, the account, a positive amount in tiyn KZT, a payment time and a channel.",
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
        yield return Check("data.CreateMeterReading", "An accepted reading has an id, echoes account, meter and value, and has an acceptance time.",
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
                    if (reading.AccountNumber != request.AccountNumber || reading.MeterId != request.MeterId || reading.ValueMilliUnits != request.ValueMilliUnits)
                    {
                        problems.Add("reading", "does not echo the account number, meter id and value sent");
                    }

                    problems.Date("reading.reading_date", reading.ReadingDate);
                    problems.Timestamp("reading.accept_time", reading.AcceptTime);
                }

                problems.ThrowIfAny("CreateMeterReading");
            });

        yield return Check("idempotency.CreateMeterReading", "The same request_id sent twice returns the first reading again (one effect); a new request_id records a new reading.",
            async ct =>
            {
                var request = await NewReadingAsync(ct);
                var first = await _client.CreateMeterReadingAsync(request, Target.Call(ct));
                var again = await _client.CreateMeterReadingAsync(request, Target.Call(ct));
                Expect.That(first.Equals(again),
                    $"the same request_id sent twice returned two different results (reading_id '{first.Reading?.ReadingId}', then '{again.Reading?.ReadingId}'); a retry must return the first result and have no second effect");
                var next = request.Clone();
                next.RequestId = NewRequestId();
                next.ValueMilliUnits += 1000;
                var other = await _client.CreateMeterReadingAsync(next, Target.Call(ct));
                Expect.That(other.Reading?.ReadingId != first.Reading?.ReadingId,
                    "a new request_id returned the reading of an earlier request; only the same request_id may replay a result");
            });
    }

    private async Task<IReadOnlyList<Account>> LoadAccountsAsync(CancellationToken ct)
    {
        var accounts = (await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct))).Accounts;
        Expect.That(accounts.Count > 0, "the provider lists no account for the test citizen; pass --citizen-iin of a test citizen who holds accounts with it");
        return accounts;
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
    /// A valid new reading: the first meter of the test citizen's accounts, 1 unit above its last reading
    /// as listed now (earlier checks may have raised it), read yesterday.
    /// </summary>
    private async Task<CreateMeterReadingRequest> NewReadingAsync(CancellationToken ct)
    {
        var metered = (await _accounts(ct)).FirstOrDefault(a => a.Meters.Count > 0)
            ?? throw new ConformanceFailure("none of the test citizen's accounts has a meter; CreateMeterReading cannot be checked (choose another --citizen-iin)");
        var current = await _client.ListAccountsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct));
        var account = current.Accounts.FirstOrDefault(a => a.AccountNumber == metered.AccountNumber && a.Meters.Count > 0) ?? metered;
        var meter = account.Meters[0];
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        return new CreateMeterReadingRequest
        {
            RequestId = NewRequestId(),
            Iin = Options.CitizenIin,
            AccountNumber = account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = meter.LastReadingMilliUnits + 1000,
            ReadingDate = new Google.Type.Date { Year = yesterday.Year, Month = yesterday.Month, Day = yesterday.Day },
        };
    }

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
