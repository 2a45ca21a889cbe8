using Google.Type;
using Grpc.Core;
using ProviderGateway.Contracts.Utilities.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class UtilitiesDemoServiceTests : IAsyncLifetime
{
    private const string ProviderId = "alatau-power";

    // The citizen of the seed who holds the most accounts with the provider (three, so paging shows).
    private static readonly IGrouping<string, DemoSeedUtilityAccount> Holder = DemoProviderHarness.Seed.UtilityAccounts
        .Where(a => a.ProviderId == ProviderId)
        .GroupBy(a => a.Iin)
        .OrderByDescending(g => g.Count())
        .First();

    private DemoProviderHarness _provider = null!;
    private UtilitiesService.UtilitiesServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _provider = await DemoProviderHarness.StartAsync(ProviderId);
        _client = new UtilitiesService.UtilitiesServiceClient(_provider.Channel);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Theory]
    [InlineData("79102830272")] // 11 digits
    [InlineData("791028302729")] // wrong check digit
    [InlineData("791328302728")] // month 13
    [InlineData("")]
    public async Task ListAccounts_rejects_a_malformed_iin_with_a_bad_request_naming_iin(string iin)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListAccountsAsync(new ListAccountsRequest { Iin = iin }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "iin" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task ListAccounts_returns_an_empty_page_for_an_unknown_iin()
    {
        var response = await _client.ListAccountsAsync(new ListAccountsRequest { Iin = DemoProviderHarness.UnknownIin });

        Assert.Empty(response.Accounts);
        Assert.Equal("", response.NextPageToken);
    }

    [Fact]
    public async Task ListAccounts_returns_the_citizens_accounts_with_address_and_meters()
    {
        var response = await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key });

        Assert.Equal(Holder.Select(a => a.AccountNumber).Order(StringComparer.Ordinal), response.Accounts.Select(a => a.AccountNumber));
        Assert.All(response.Accounts, a =>
        {
            Assert.Equal(ServiceType.Electricity, a.ServiceType);
            Assert.Equal("Alatau Power (demo)", a.ProviderName);
            Assert.Equal(9, a.Address.KatoCode.Length);
            Assert.NotEmpty(a.Address.District);
            Assert.Equal(MeterUnit.KilowattHour, Assert.Single(a.Meters).Unit);
        });
    }

    [Fact]
    public async Task ListAccounts_pages_without_overlap_or_gap()
    {
        var all = (await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key })).Accounts.Select(a => a.AccountNumber).ToList();
        var paged = new List<string>();
        var pages = 0;
        var token = "";

        do
        {
            var page = await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key, PageSize = 2, PageToken = token });
            Assert.InRange(page.Accounts.Count, 1, 2);
            paged.AddRange(page.Accounts.Select(a => a.AccountNumber));
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.True(all.Count >= 3);
        Assert.Equal((all.Count + 1) / 2, pages);
        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task ListAccounts_refuses_a_page_token_issued_for_another_citizen()
    {
        var first = await _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key, PageSize = 1 });
        var other = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.ProviderId == ProviderId && a.Iin != Holder.Key).Iin;

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ListAccountsAsync(new ListAccountsRequest { Iin = other, PageSize = 1, PageToken = first.NextPageToken }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "page_token" }, RpcDetails.ViolatedFields(e));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AQAAAAEAAAAAAAAAAAAAAAA")]
    public async Task ListAccounts_refuses_a_page_token_it_did_not_issue(string token)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key, PageToken = token }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "page_token" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task ListAccounts_refuses_a_negative_page_size()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ListAccountsAsync(new ListAccountsRequest { Iin = Holder.Key, PageSize = -1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "page_size" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task ListInvoices_pages_newest_billing_period_first_without_overlap_or_gap()
    {
        var account = Holder.OrderByDescending(a => a.Invoices.Count).First();
        var invoices = new List<Invoice>();
        var token = "";

        do
        {
            var page = await _client.ListInvoicesAsync(new ListInvoicesRequest
            {
                Iin = account.Iin, AccountNumber = account.AccountNumber, PageSize = 3, PageToken = token,
            });
            invoices.AddRange(page.Invoices);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.True(invoices.Count > 5);
        Assert.Equal(account.Invoices.Select(i => i.InvoiceId).Order(StringComparer.Ordinal), invoices.Select(i => i.InvoiceId).Order(StringComparer.Ordinal));
        var starts = invoices.Select(i => new DateOnly(i.BillingPeriod.StartDate.Year, i.BillingPeriod.StartDate.Month, 1)).ToList();
        Assert.Equal(starts.OrderDescending(), starts);
        Assert.All(invoices, i => Assert.Equal(25, i.DueDate.Day));
    }

    [Fact]
    public async Task ListPayments_returns_the_accounts_payments_newest_first()
    {
        var account = Holder.First(a => a.Payments.Count > 1);

        var response = await _client.ListPaymentsAsync(new ListPaymentsRequest { Iin = account.Iin, AccountNumber = account.AccountNumber });

        Assert.Equal(account.Payments.Count, response.Payments.Count);
        var times = response.Payments.Select(p => p.PaidTime.ToDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.All(response.Payments, p => Assert.Equal("KZT", p.Amount.CurrencyCode));
    }

    [Fact]
    public async Task GetAccountBalance_reports_debt_with_an_amount_due_and_a_due_date()
    {
        var account = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.ProviderId == ProviderId && a.Balance.MinorUnits > 0);

        var balance = (await _client.GetAccountBalanceAsync(new GetAccountBalanceRequest { Iin = account.Iin, AccountNumber = account.AccountNumber })).Balance;

        Assert.Equal(account.Balance.MinorUnits, balance.Balance.MinorUnits);
        Assert.Equal(account.Balance.MinorUnits, balance.AmountDue.MinorUnits);
        Assert.Equal(25, balance.DueDate.Day);
    }

    [Fact]
    public async Task GetAccountBalance_of_another_citizens_account_is_not_found_with_resource_info()
    {
        var account = Holder.First();
        var other = DemoProviderHarness.Seed.Citizens.First(c => c.Iin != Holder.Key).Iin;

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAccountBalanceAsync(new GetAccountBalanceRequest { Iin = other, AccountNumber = account.AccountNumber }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var resource = RpcDetails.ResourceInfo(e);
        Assert.Equal("utilities.v1.Account", resource.ResourceType);
        Assert.Equal(account.AccountNumber, resource.ResourceName);
    }

    [Fact]
    public async Task GetAccountBalance_rejects_a_malformed_account_number()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAccountBalanceAsync(new GetAccountBalanceRequest { Iin = Holder.Key, AccountNumber = "AP 1952/1" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "account_number" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task CreateMeterReading_is_idempotent_by_request_id()
    {
        var request = NextReading(Holder.First(), increaseBy: 120_000);

        var first = await _client.CreateMeterReadingAsync(request);
        var retry = await _client.CreateMeterReadingAsync(request.Clone());

        Assert.Equal(first.Reading, retry.Reading);
        Assert.Equal(request.ValueMilliUnits, MeterOf(await ListAccount(request), request.MeterId).LastReadingMilliUnits);
    }

    [Fact]
    public async Task CreateMeterReading_with_a_reused_request_id_and_another_payload_is_already_exists()
    {
        var request = NextReading(Holder.First(), increaseBy: 50_000);
        await _client.CreateMeterReadingAsync(request);
        var changed = request.Clone();
        changed.ValueMilliUnits += 1_000;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(changed).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", RpcDetails.ErrorInfo(e).Reason);
        Assert.Equal(request.ValueMilliUnits, MeterOf(await ListAccount(request), request.MeterId).LastReadingMilliUnits);
    }

    [Fact]
    public async Task CreateMeterReading_is_reflected_in_ListAccounts()
    {
        var request = NextReading(Holder.Last(), increaseBy: 233_000);

        var created = await _client.CreateMeterReadingAsync(request);
        var meter = MeterOf(await ListAccount(request), request.MeterId);

        Assert.Equal(request.ValueMilliUnits, meter.LastReadingMilliUnits);
        Assert.Equal(request.ReadingDate, meter.LastReadingDate);
        Assert.Equal(_provider.Time.GetUtcNow(), created.Reading.AcceptTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task CreateMeterReading_below_the_last_reading_fails_the_precondition()
    {
        var request = NextReading(Holder.First(), increaseBy: -1_000);

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("READING_BELOW_LAST_READING", RpcDetails.ErrorInfo(e).Reason);
    }

    [Fact]
    public async Task CreateMeterReading_rejects_every_bad_field_at_once()
    {
        var request = NextReading(Holder.First(), increaseBy: 1_000);
        request.RequestId = "not-a-uuid";
        request.ValueMilliUnits = -5;
        request.ReadingDate = new Date { Year = 2026, Month = 11, Day = 28 }; // tomorrow in the harness's clock

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "request_id", "value_milli_units", "reading_date" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task CreateMeterReading_on_an_unknown_meter_is_not_found()
    {
        var request = NextReading(Holder.First(), increaseBy: 1_000);
        request.MeterId = "NO-SUCH-METER";

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("utilities.v1.Meter", RpcDetails.ResourceInfo(e).ResourceType);
    }

    [Fact]
    public async Task CreateMeterReading_request_ids_are_scoped_to_the_gateway_client()
    {
        var request = NextReading(Holder.First(), increaseBy: 10_000);
        var first = await _client.CreateMeterReadingAsync(request, ClientHeaders("karasai-desk"));
        var changed = request.Clone();
        changed.ValueMilliUnits += 1_000;

        var otherClient = await _client.CreateMeterReadingAsync(changed, ClientHeaders("ili-desk"));
        var noClient = await _client.CreateMeterReadingAsync(changed.Clone()); // a call without x-client-id is one more client
        var sameClient = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(changed, ClientHeaders("karasai-desk")).ResponseAsync);

        Assert.NotEqual(first.Reading.ReadingId, otherClient.Reading.ReadingId);
        Assert.Equal(otherClient.Reading.ValueMilliUnits, noClient.Reading.ValueMilliUnits);
        Assert.NotEqual(otherClient.Reading.ReadingId, noClient.Reading.ReadingId);
        Assert.Equal(StatusCode.AlreadyExists, sameClient.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", RpcDetails.ErrorInfo(sameClient).Reason);
    }

    [Fact]
    public async Task CreateMeterReading_request_ids_compare_without_the_case_of_their_hex_digits()
    {
        var request = NextReading(Holder.First(), increaseBy: 20_000);
        request.RequestId = request.RequestId.ToLowerInvariant();
        var first = await _client.CreateMeterReadingAsync(request, ClientHeaders("karasai-desk"));
        var upper = request.Clone();
        upper.RequestId = request.RequestId.ToUpperInvariant();

        var retry = await _client.CreateMeterReadingAsync(upper, ClientHeaders("karasai-desk"));

        Assert.Equal(first.Reading, retry.Reading);
    }

    [Fact]
    public async Task CreateMeterReading_on_an_unknown_account_is_not_found_naming_the_account_as_sent()
    {
        var request = NextReading(Holder.First(), increaseBy: 1_000);
        request.AccountNumber = "AP-0000-000000";

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var resource = RpcDetails.ResourceInfo(e);
        Assert.Equal("utilities.v1.Account", resource.ResourceType);
        Assert.Equal("AP-0000-000000", resource.ResourceName);
    }

    [Fact]
    public async Task CreateMeterReading_on_another_citizens_account_is_not_found_like_an_unknown_one()
    {
        var request = NextReading(Holder.First(), increaseBy: 1_000);
        request.Iin = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.ProviderId == ProviderId && a.Iin != Holder.Key).Iin;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("utilities.v1.Account", RpcDetails.ResourceInfo(e).ResourceType);
    }

    [Fact]
    public async Task CreateMeterReading_judges_the_future_by_the_day_in_Kazakhstan()
    {
        // 19:30 UTC on 26 November is already 00:30 on 27 November in Kazakhstan (UTC+5).
        _provider.Time.Advance(new DateTimeOffset(2026, 11, 26, 19, 30, 0, TimeSpan.Zero) - _provider.Time.GetUtcNow());
        var today = NextReading(Holder.First(), increaseBy: 5_000);
        today.ReadingDate = new Date { Year = 2026, Month = 11, Day = 27 };
        var tomorrow = NextReading(Holder.First(), increaseBy: 6_000);
        tomorrow.ReadingDate = new Date { Year = 2026, Month = 11, Day = 28 };

        var accepted = await _client.CreateMeterReadingAsync(today);
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateMeterReadingAsync(tomorrow).ResponseAsync);

        Assert.Equal(today.ReadingDate, accepted.Reading.ReadingDate);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "reading_date" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task A_partly_paid_invoice_is_overdue_from_the_day_after_its_due_date_in_Kazakhstan()
    {
        var account = Holder.First();
        var latest = account.Invoices.MaxBy(i => i.DueDate)!;
        var partlyPaid = account with { Invoices = [.. account.Invoices.Select(i => i == latest ? i with { State = InvoiceState.PartiallyPaid } : i)] };
        var seed = DemoProviderHarness.Seed with { UtilityAccounts = [.. DemoProviderHarness.Seed.UtilityAccounts.Select(a => a == account ? partlyPaid : a)] };
        await using var provider = await DemoProviderHarness.StartAsync(ProviderId, o => o.Seed = seed);
        var client = new UtilitiesService.UtilitiesServiceClient(provider.Channel);
        var dueDay = new DateTimeOffset(latest.DueDate.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(5));

        provider.Time.Advance(dueDay.AddHours(23.5) - provider.Time.GetUtcNow()); // 23:30 on the due day in Kazakhstan, 18:30 UTC
        var onTheDueDay = await StateOfAsync();
        provider.Time.Advance(TimeSpan.FromHours(1)); // 00:30 the next day in Kazakhstan, still the due day in UTC
        var theDayAfter = await StateOfAsync();

        Assert.Equal(InvoiceState.PartiallyPaid, onTheDueDay);
        Assert.Equal(InvoiceState.Overdue, theDayAfter);

        async Task<InvoiceState> StateOfAsync() =>
            (await client.ListInvoicesAsync(new ListInvoicesRequest { Iin = account.Iin, AccountNumber = account.AccountNumber, PageSize = 100 }))
                .Invoices.Single(i => i.InvoiceId == latest.InvoiceId).State;
    }

    [Fact]
    public async Task A_closed_account_refuses_readings_and_a_suspended_one_takes_them()
    {
        var closed = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.State == AccountState.Closed && a.Meters.Count > 0);
        var suspended = DemoProviderHarness.Seed.UtilityAccounts.First(a => a.State == AccountState.Suspended && a.Meters.Count > 0);
        await using var closedProvider = await DemoProviderHarness.StartAsync(closed.ProviderId);
        await using var suspendedProvider = await DemoProviderHarness.StartAsync(suspended.ProviderId);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            new UtilitiesService.UtilitiesServiceClient(closedProvider.Channel).CreateMeterReadingAsync(NextReading(closed, increaseBy: 1_000)).ResponseAsync);
        var accepted = await new UtilitiesService.UtilitiesServiceClient(suspendedProvider.Channel).CreateMeterReadingAsync(NextReading(suspended, increaseBy: 1_000));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("ACCOUNT_CLOSED", RpcDetails.ErrorInfo(e).Reason);
        Assert.Equal("ACCOUNT_STATE", Assert.Single(RpcDetails.PreconditionFailure(e).Violations).Type);
        Assert.Equal(suspended.AccountNumber, accepted.Reading.AccountNumber);
    }

    private static Metadata ClientHeaders(string clientId) => new() { { "x-client-id", clientId } };

    private static CreateMeterReadingRequest NextReading(DemoSeedUtilityAccount account, long increaseBy)
    {
        var meter = account.Meters[0];
        var today = DateOnly.FromDateTime(DemoProviderHarness.SeedNow.DateTime);
        return new CreateMeterReadingRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = meter.LastReadingMilliUnits + increaseBy,
            ReadingDate = new Date { Year = today.Year, Month = today.Month, Day = today.Day },
        };
    }

    private async Task<Account> ListAccount(CreateMeterReadingRequest request) =>
        (await _client.ListAccountsAsync(new ListAccountsRequest { Iin = request.Iin })).Accounts.Single(a => a.AccountNumber == request.AccountNumber);

    private static Meter MeterOf(Account account, string meterId) => account.Meters.Single(m => m.MeterId == meterId);
}
