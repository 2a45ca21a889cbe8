using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using Land = ProviderGateway.Contracts.LandRegistry.V1;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// District limits apply to what comes back: a client limited to the Karasai district that names its own district
/// receives no account or parcel located elsewhere, through any method, although nationwide and regional providers
/// serving Karasai hold them; calls about such an account or parcel are refused as if it did not exist.
/// </summary>
public sealed class DistrictLimitTests
{
    private const string KarasaiKato = "195200000";
    private const string KarasaiPrefix = "1952";
    private const string KarasaiOfficeKey = "karasai-office-key-0123456789";
    private const string TaldykorganIin = "720119319078"; // Baimukhanov, Taldykorgan (331000000)

    private static GatewaySettings KarasaiOffice() => new GatewaySettings()
        .WithClient(c => c.Id("karasai-office").ApiKey(KarasaiOfficeKey).Permissions("*").Districts(KarasaiPrefix).RateLimit(100_000, 100_000));

    [Fact]
    public async Task A_district_limited_client_never_receives_an_account_or_parcel_located_outside_its_districts()
    {
        await using var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var office = gateway.ClientWith(KarasaiOfficeKey, "op-karasai-1", "citizen-enquiry");
        var seen = new List<string>();
        var ownDistrictItems = 0;

        foreach (var citizen in DemoData.Seed.Citizens)
        {
            var overview = await office.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen.Iin, KatoCode = KarasaiKato });
            var accounts = await office.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = citizen.Iin, KatoCode = KarasaiKato, PageSize = 100 });
            var parcels = await office.ListParcelsAsync(new ListParcelsRequest { Iin = citizen.Iin, KatoCode = KarasaiKato, PageSize = 100 });
            seen.AddRange(overview.Results.SelectMany(r => r.Utilities?.Accounts.Select(a => a.Address.KatoCode) ?? []));
            seen.AddRange(overview.Results.SelectMany(r => r.LandRegistry?.Parcels.Select(p => p.Address.KatoCode) ?? []));
            seen.AddRange(accounts.Accounts.Select(a => a.Account.Address.KatoCode));
            seen.AddRange(parcels.Parcels.Select(p => p.Parcel.Address.KatoCode));
            ownDistrictItems += accounts.Accounts.Count + parcels.Parcels.Count;
        }

        var taldykorgan = await office.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = TaldykorganIin, KatoCode = KarasaiKato });

        Assert.All(seen, kato => Assert.StartsWith(KarasaiPrefix, kato, StringComparison.Ordinal));
        Assert.True(ownDistrictItems > 0, "the office still sees its own district's accounts and parcels");
        // The Taldykorgan citizen's utilities and parcels are held by providers serving Karasai too: asked, answered, filtered.
        Assert.Contains(taldykorgan.Results, r => r.Source.ProviderId == "land-registry" && r.Source.Status.Code == 0);
        Assert.All(taldykorgan.Results, r => Assert.Empty(r.Utilities?.Accounts ?? []));
        Assert.All(taldykorgan.Results, r => Assert.Empty(r.LandRegistry?.Parcels ?? []));
    }

    [Fact]
    public async Task Calls_about_an_account_or_parcel_outside_the_clients_districts_are_refused_as_if_it_did_not_exist()
    {
        await using var gateway = await TestGateway.StartAsync(settings: KarasaiOffice());
        var office = gateway.ClientWith(KarasaiOfficeKey, "op-karasai-1", "citizen-enquiry");
        var providersServingKarasai = new HashSet<string>(["alatau-power", "regional-water", "qazaq-gas-demo", "teplo-service", "tazalyk-waste"]);
        var accounts = DemoData.Seed.UtilityAccounts.Where(a => providersServingKarasai.Contains(a.ProviderId)).ToList();
        var outcomes = new List<(bool Inside, StatusCode Code, string Reason)>();

        foreach (var account in accounts)
        {
            var kato = account.Address?.KatoCode ?? DemoData.Seed.Citizens.First(c => c.Iin == account.Iin).Address.KatoCode;
            var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, KatoCode = KarasaiKato, Iin = account.Iin, AccountNumber = account.AccountNumber };
            try
            {
                await office.GetUtilityAccountBalanceAsync(request);
                outcomes.Add((kato.StartsWith(KarasaiPrefix, StringComparison.Ordinal), StatusCode.OK, ""));
            }
            catch (RpcException e)
            {
                outcomes.Add((kato.StartsWith(KarasaiPrefix, StringComparison.Ordinal), e.StatusCode, e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? ""));
            }
        }

        var elsewhere = DemoData.Seed.UtilityAccounts.First(a => a.Iin == TaldykorganIin && a.ProviderId == "regional-water");
        var parcel = DemoData.Seed.Parcels.First(p => p.RightsHolders.Any(h => h.Iin == TaldykorganIin));
        var registry = gateway.EmbeddedProviders["land-registry"];
        var water = gateway.EmbeddedProviders["regional-water"];
        var ordersBefore = registry.Calls["CreateCertificateOrder"];
        var readingsBefore = water.Calls["CreateMeterReading"];
        var refused = new[]
        {
            await Refusal(() => office.ListUtilityInvoicesAsync(new ListUtilityInvoicesRequest { ProviderId = "regional-water", KatoCode = KarasaiKato, Iin = TaldykorganIin, AccountNumber = elsewhere.AccountNumber }).ResponseAsync),
            await Refusal(() => office.ListUtilityPaymentsAsync(new ListUtilityPaymentsRequest { ProviderId = "regional-water", KatoCode = KarasaiKato, Iin = TaldykorganIin, AccountNumber = elsewhere.AccountNumber }).ResponseAsync),
            await Refusal(() => office.CreateMeterReadingAsync(new CreateMeterReadingRequest
            {
                ProviderId = "regional-water", KatoCode = KarasaiKato, RequestId = Guid.NewGuid().ToString(), Iin = TaldykorganIin, AccountNumber = elsewhere.AccountNumber,
                MeterId = elsewhere.Meters.FirstOrDefault()?.MeterId ?? "m-1", ValueMilliUnits = 1_000_000, ReadingDate = Google.Type.Date.FromDateTime(DateTime.UtcNow.Date.AddDays(-1)),
            }).ResponseAsync),
            await Refusal(() => office.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = "regional-water", KatoCode = KarasaiKato, Iin = TaldykorganIin, AccountNumber = "NO-SUCH-ACCOUNT-1" }).ResponseAsync),
            await Refusal(() => office.GetParcelAsync(new GetParcelRequest { ProviderId = "land-registry", KatoCode = KarasaiKato, CadastralNumber = parcel.CadastralNumber }).ResponseAsync),
            await Refusal(() => office.CreateCertificateOrderAsync(new CreateCertificateOrderRequest
            {
                ProviderId = "land-registry", KatoCode = KarasaiKato, RequestId = Guid.NewGuid().ToString(), Iin = TaldykorganIin,
                CertificateType = Land.CertificateType.RightsAndEncumbrances, CadastralNumber = parcel.CadastralNumber,
            }).ResponseAsync),
        };

        Assert.Contains(outcomes, o => o.Inside);
        Assert.Contains(outcomes, o => !o.Inside);
        Assert.All(outcomes.Where(o => o.Inside), o => Assert.Equal(StatusCode.OK, o.Code));
        Assert.All(outcomes.Where(o => !o.Inside), o => Assert.Equal((StatusCode.PermissionDenied, "DISTRICT_NOT_PERMITTED"), (o.Code, o.Reason)));
        Assert.All(refused, r => Assert.Equal((StatusCode.PermissionDenied, "DISTRICT_NOT_PERMITTED"), (r.StatusCode, r.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason)));
        // The unknown account is refused in the same words as an existing one elsewhere.
        Assert.Equal(refused[0].Status.Detail.Replace("account", "", StringComparison.Ordinal), refused[3].Status.Detail.Replace("account", "", StringComparison.Ordinal));
        Assert.Equal(ordersBefore, registry.Calls["CreateCertificateOrder"]);
        Assert.Equal(readingsBefore, water.Calls["CreateMeterReading"]);
    }

    private static async Task<RpcException> Refusal(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
