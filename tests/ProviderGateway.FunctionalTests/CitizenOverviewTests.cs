using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

public sealed class CitizenOverviewTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private FrontDeskService.FrontDeskServiceClient FrontDesk => fixture.Gateway.FrontDesk;

    [Fact]
    public async Task Overview_returns_one_result_per_provider_with_the_citizens_data()
    {
        var citizen = DemoData.Seed.Citizens.First(c => DemoData.Seed.UtilityAccounts.Count(a => a.Iin == c.Iin) >= 2);
        var expectedAccounts = DemoData.Seed.UtilityAccounts.Where(a => a.Iin == citizen.Iin).Select(a => a.AccountNumber).Order();

        var overview = await FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen.Iin });

        Assert.Equal(DemoData.Seed.Providers.Select(p => p.Id), overview.Results.Select(r => r.Source.ProviderId));
        Assert.All(overview.Results, r =>
        {
            Assert.Equal((int)StatusCode.OK, r.Source.Status.Code);
            Assert.Contains(r.Source.Freshness, new[] { Freshness.Live, Freshness.Cached }); // other tests share this gateway's cache
            Assert.NotNull(r.Source.FetchTime);
            Assert.NotNull(r.Source.Latency);
        });
        Assert.True(overview.Complete);
        var accounts = overview.Results.Where(r => r.DataCase == ProviderResult.DataOneofCase.Utilities).SelectMany(r => r.Utilities.Accounts);
        Assert.Equal(expectedAccounts, accounts.Select(a => a.AccountNumber).Order());
        Assert.True(overview.Results.Count(r => r.Utilities?.Accounts.Count > 0) >= 2, "the overview fans out to more than one utility provider");
    }

    [Fact]
    public async Task Overview_restricted_to_a_district_asks_only_the_providers_serving_it()
    {
        var overview = await FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = "791028302728", KatoCode = "331000000" });

        var asked = overview.Results.Select(r => r.Source.ProviderId).ToList();
        var expected = DemoData.Seed.Providers
            .Where(p => p.KatoCodes.Count == 0 || p.KatoCodes.Contains("331000000"))
            .Select(p => p.Id);
        Assert.Equal(expected, asked);
        Assert.DoesNotContain("alatau-power", asked);
    }

    [Theory]
    [InlineData("791028302729", "IIN_CHECK_DIGIT_MISMATCH")]
    [InlineData("791328302728", "IIN_INVALID_BIRTH_DATE")]
    [InlineData("79102830272", "IIN_WRONG_LENGTH")]
    [InlineData("79102830272X", "IIN_NOT_DIGITS")]
    [InlineData("", "IIN_MISSING")]
    public async Task Overview_rejects_an_invalid_IIN_with_a_field_violation_naming_iin(string iin, string reason)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = iin }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var status = error.GetRpcStatus()!;
        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("iin", violation.Field);
        Assert.Equal(reason, violation.Reason);
        Assert.Equal("INVALID_REQUEST", status.GetDetail<ErrorInfo>()!.Reason);
    }

    [Fact]
    public async Task Overview_of_a_valid_IIN_unknown_to_every_provider_reports_each_provider_OK_with_nothing()
    {
        var overview = await FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = DemoData.UnknownIin });

        Assert.Equal(DemoData.Seed.Providers.Count, overview.Results.Count);
        Assert.All(overview.Results, r =>
        {
            Assert.Equal((int)StatusCode.OK, r.Source.Status.Code);
            Assert.NotEqual(ProviderResult.DataOneofCase.None, r.DataCase);
            Assert.Empty(r.Utilities?.Accounts ?? []);
            Assert.Empty(r.LandRegistry?.Parcels ?? []);
            Assert.Empty(r.SocialServices?.Benefits ?? []);
        });
        Assert.True(overview.Complete);
    }
}
