using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

public sealed class FrontDeskOperationsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private FrontDeskService.FrontDeskServiceClient FrontDesk => fixture.Gateway.FrontDesk;

    [Fact]
    public async Task Merged_account_pages_never_overlap_or_skip_and_end_with_an_empty_token()
    {
        var citizen = DemoData.Seed.Citizens.MaxBy(c => DemoData.Seed.UtilityAccounts.Count(a => a.Iin == c.Iin))!;
        var expected = DemoData.Seed.UtilityAccounts.Where(a => a.Iin == citizen.Iin).Select(a => $"{a.ProviderId}/{a.AccountNumber}").Order().ToList();
        Assert.True(expected.Count > 3);

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = citizen.Iin, PageSize = 2, PageToken = token });
            Assert.True(page.Accounts.Count <= 2);
            Assert.All(page.Sources, s => Assert.Equal((int)StatusCode.OK, s.Status.Code));
            seen.AddRange(page.Accounts.Select(a => $"{a.ProviderId}/{a.Account.AccountNumber}"));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 50);

        Assert.Equal(expected, seen.Order());
        Assert.True(pages > 1);
    }

    [Fact]
    public async Task A_page_token_replayed_for_another_citizen_is_rejected()
    {
        var citizen = DemoData.Seed.Citizens.MaxBy(c => DemoData.Seed.UtilityAccounts.Count(a => a.Iin == c.Iin))!;
        var first = await FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = citizen.Iin, PageSize = 1 });

        var error = await Assert.ThrowsAsync<RpcException>(() => FrontDesk.ListUtilityAccountsAsync(
            new ListUtilityAccountsRequest { Iin = DemoData.UnknownIin, PageSize = 1, PageToken = first.NextPageToken }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("page_token", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field);
    }

    [Fact]
    public async Task Account_balance_goes_to_the_named_provider()
    {
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Balance.MinorUnits > 0);

        var answer = await FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest
        {
            ProviderId = account.ProviderId,
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
        });

        Assert.Equal(account.AccountNumber, answer.Balance.AccountNumber);
        Assert.Equal(account.Balance.MinorUnits, answer.Balance.Balance.MinorUnits);
        Assert.Equal("KZT", answer.Balance.Balance.CurrencyCode);
        Assert.Equal(account.ProviderId, answer.Source.ProviderId);
        Assert.Equal(Freshness.Live, answer.Source.Freshness);
    }

    [Fact]
    public async Task An_account_call_without_provider_id_where_several_utilities_serve_asks_for_one()
    {
        var account = DemoData.Seed.UtilityAccounts[0];

        var error = await Assert.ThrowsAsync<RpcException>(() => FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { Iin = account.Iin, AccountNumber = account.AccountNumber }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Single();
        Assert.Equal("provider_id", violation.Field);
        Assert.Equal("PROVIDER_ID_REQUIRED", violation.Reason);
    }

    [Fact]
    public async Task Another_citizens_account_is_NOT_FOUND_with_resource_info()
    {
        var account = DemoData.Seed.UtilityAccounts[0];
        var stranger = DemoData.Seed.Citizens.First(c => c.Iin != account.Iin).Iin;

        var error = await Assert.ThrowsAsync<RpcException>(() => FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest
        {
            ProviderId = account.ProviderId,
            Iin = stranger,
            AccountNumber = account.AccountNumber,
        }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        var status = error.GetRpcStatus()!;
        Assert.Equal(account.AccountNumber, status.GetDetail<ResourceInfo>()!.ResourceName);
        Assert.Equal("RESOURCE_NOT_FOUND", status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal(account.ProviderId, status.GetDetail<ErrorInfo>()!.Metadata["provider_id"]);
    }

    [Fact]
    public async Task Invoices_and_payments_of_an_account_come_back_paged()
    {
        var account = DemoData.Seed.UtilityAccounts.MaxBy(a => a.Invoices.Count)!;

        var invoices = await FrontDesk.ListUtilityInvoicesAsync(new ListUtilityInvoicesRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber, PageSize = 3 });
        var payments = await FrontDesk.ListUtilityPaymentsAsync(new ListUtilityPaymentsRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });

        Assert.Equal(3, invoices.Invoices.Count);
        Assert.NotEmpty(invoices.NextPageToken);
        Assert.Equal(account.Payments.Count, payments.Payments.Count);
    }

    [Fact]
    public async Task A_meter_reading_is_accepted_once_and_shows_in_the_citizens_accounts()
    {
        var account = DemoData.Seed.UtilityAccounts.Last(a => a.Meters.Count > 0);
        var meter = account.Meters[0];
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));
        var request = new Contracts.FrontDesk.V1.CreateMeterReadingRequest
        {
            ProviderId = account.ProviderId,
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = meter.LastReadingMilliUnits + 125_000,
            ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        };

        var first = await FrontDesk.CreateMeterReadingAsync(request);
        var retry = await FrontDesk.CreateMeterReadingAsync(request);
        var accounts = await FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = account.Iin, PageSize = 100 });

        Assert.Equal(first.Reading.ReadingId, retry.Reading.ReadingId);
        Assert.Equal(account.ProviderId, first.Source.ProviderId);
        var shown = accounts.Accounts.Single(a => a.ProviderId == account.ProviderId && a.Account.AccountNumber == account.AccountNumber);
        Assert.Equal(request.ValueMilliUnits, shown.Account.Meters.Single(m => m.MeterId == meter.MeterId).LastReadingMilliUnits);
    }

    [Fact]
    public async Task A_parcel_is_found_by_cadastral_number_without_naming_the_single_land_registry()
    {
        var parcel = DemoData.Seed.Parcels.First(p => p.Encumbrances.Count > 0);

        var answer = await FrontDesk.GetParcelAsync(new Contracts.FrontDesk.V1.GetParcelRequest { CadastralNumber = parcel.CadastralNumber });

        Assert.Equal(parcel.CadastralNumber, answer.Parcel.CadastralNumber);
        Assert.Equal(parcel.RightsHolders.Count, answer.Parcel.RightsHolders.Count);
        Assert.NotEmpty(answer.Parcel.Encumbrances);
        Assert.Equal("land-registry", answer.Source.ProviderId);
    }

    [Fact]
    public async Task A_certificate_order_can_be_followed_by_its_id()
    {
        var parcel = DemoData.Seed.Parcels[0];
        var holder = parcel.RightsHolders[0].Iin;

        var order = await FrontDesk.CreateCertificateOrderAsync(new Contracts.FrontDesk.V1.CreateCertificateOrderRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = holder,
            CertificateType = CertificateType.RightsAndEncumbrances,
            CadastralNumber = parcel.CadastralNumber,
        });
        var status = await FrontDesk.GetCertificateOrderAsync(new Contracts.FrontDesk.V1.GetCertificateOrderRequest
        {
            ProviderId = order.Source.ProviderId,
            Iin = holder,
            OrderId = order.Order.OrderId,
        });

        Assert.NotEmpty(order.Order.OrderId);
        Assert.Equal(order.Order.OrderId, status.Order.OrderId);
        Assert.NotEqual(CertificateOrderState.Unspecified, status.Order.State);
    }

    [Fact]
    public async Task Benefits_merge_across_social_providers_and_their_payments_are_listed()
    {
        var citizen = DemoData.Seed.Citizens.First(c => DemoData.Seed.Benefits.Count(b => b.Iin == c.Iin) > 0);
        var expected = DemoData.Seed.Benefits.Where(b => b.Iin == citizen.Iin).Select(b => b.BenefitId).Order();

        var benefits = await FrontDesk.ListBenefitsAsync(new Contracts.FrontDesk.V1.ListBenefitsRequest { Iin = citizen.Iin });
        var first = benefits.Benefits[0];
        var payments = await FrontDesk.ListBenefitPaymentsAsync(new Contracts.FrontDesk.V1.ListBenefitPaymentsRequest
        {
            ProviderId = first.ProviderId,
            Iin = citizen.Iin,
            BenefitId = first.Benefit.BenefitId,
        });

        Assert.Equal(expected, benefits.Benefits.Select(b => b.Benefit.BenefitId).Order());
        Assert.Equal(DemoData.Seed.Providers.Count(p => p.Id is "social-insurance-fund" or "targeted-assistance"), benefits.Sources.Count);
        Assert.NotEmpty(payments.Payments);
        Assert.All(payments.Payments, p => Assert.Equal(first.Benefit.BenefitId, p.BenefitId));
    }

    [Fact]
    public async Task An_application_can_be_submitted_and_followed()
    {
        var citizen = DemoData.Seed.Citizens[0];

        var created = await FrontDesk.CreateBenefitApplicationAsync(new CreateBenefitApplicationRequest
        {
            ProviderId = "targeted-assistance",
            KatoCode = citizen.KatoCode,
            RequestId = Guid.NewGuid().ToString(),
            Iin = citizen.Iin,
            BenefitType = BenefitType.TargetedSocialAssistance,
        });
        var followed = await FrontDesk.GetBenefitApplicationAsync(new GetBenefitApplicationRequest
        {
            ProviderId = created.Source.ProviderId,
            Iin = citizen.Iin,
            ApplicationId = created.Application.ApplicationId,
        });

        Assert.Equal(ApplicationState.Submitted, created.Application.State);
        Assert.Equal(created.Application.ApplicationId, followed.Application.ApplicationId);
    }

    [Fact]
    public async Task Eligibility_comes_back_with_reasons()
    {
        var answer = await FrontDesk.CheckBenefitEligibilityAsync(new CheckBenefitEligibilityRequest
        {
            ProviderId = "social-insurance-fund",
            Iin = DemoData.Seed.Citizens[0].Iin,
            BenefitType = BenefitType.Pension,
        });

        Assert.NotEmpty(answer.Reasons);
        Assert.Equal("social-insurance-fund", answer.Source.ProviderId);
    }

    [Fact]
    public async Task A_provider_of_another_domain_is_refused_before_any_call()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => FrontDesk.GetParcelAsync(
            new Contracts.FrontDesk.V1.GetParcelRequest { ProviderId = "regional-water", CadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("PROVIDER_OF_OTHER_DOMAIN", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Reason);
    }
}
