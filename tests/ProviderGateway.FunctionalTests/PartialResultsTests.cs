using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>The gateway in front of demo providers running as separate processes, as real providers do.</summary>
public sealed class PartialResultsTests
{
    [Fact]
    public async Task Overview_returns_partial_results_when_a_standalone_provider_is_stopped()
    {
        // Arrange: three standalone providers of three domains, and a gateway configured with them.
        var citizen = DemoData.Seed.Citizens.First(c =>
            DemoData.Seed.UtilityAccounts.Any(a => a.Iin == c.Iin && a.ProviderId == "regional-water")
            && DemoData.Seed.Parcels.Any(p => p.RightsHolders.Any(h => h.Iin == c.Iin)));
        await using var water = await StandaloneProvider.StartAsync("regional-water");
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var social = await StandaloneProvider.StartAsync("social-insurance-fund");
        await using var gateway = await TestGateway.StartAsync(
        [
            new ConfiguredProvider("regional-water", "utilities", water.Address, []),
            new ConfiguredProvider("land-registry", "land_registry", land.Address, []),
            new ConfiguredProvider("social-insurance-fund", "social_services", social.Address, []),
        ]);
        var before = await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen.Iin });

        // Act: the desk asks for fresh data (no cached answers), so every provider is called now.
        await land.KillAsync();
        var after = await gateway.FrontDesk.GetCitizenOverviewAsync(
            new GetCitizenOverviewRequest { Iin = citizen.Iin },
            new Metadata { { "cache-control", "no-cache" } });

        // Assert
        Assert.All(before.Results, r => Assert.Equal((int)StatusCode.OK, r.Source.Status.Code));
        Assert.NotEmpty(before.Results.Single(r => r.Source.ProviderId == "land-registry").LandRegistry.Parcels);

        var landResult = after.Results.Single(r => r.Source.ProviderId == "land-registry");
        Assert.Equal((int)StatusCode.Unavailable, landResult.Source.Status.Code);
        Assert.Equal(ProviderResult.DataOneofCase.None, landResult.DataCase);
        Assert.Equal(Freshness.Unspecified, landResult.Source.Freshness);
        var info = landResult.Source.Status.Details.Single(d => d.Is(Google.Rpc.ErrorInfo.Descriptor)).Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal("PROVIDER_UNAVAILABLE", info.Reason);
        Assert.Equal("land-registry", info.Metadata["provider_id"]);

        var water2 = after.Results.Single(r => r.Source.ProviderId == "regional-water");
        Assert.Equal((int)StatusCode.OK, water2.Source.Status.Code);
        Assert.Equal(Freshness.Live, water2.Source.Freshness);
        Assert.NotEmpty(water2.Utilities.Accounts);
        Assert.Equal((int)StatusCode.OK, after.Results.Single(r => r.Source.ProviderId == "social-insurance-fund").Source.Status.Code);
        Assert.False(after.Complete);
    }

    [Fact]
    public async Task A_single_provider_call_to_a_stopped_provider_fails_UNAVAILABLE_naming_the_provider()
    {
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var gateway = await TestGateway.StartAsync([new ConfiguredProvider("land-registry", "land_registry", land.Address, [])]);
        var parcel = DemoData.Seed.Parcels[0].CadastralNumber;
        await land.KillAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetParcelAsync(new GetParcelRequest { CadastralNumber = parcel }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var info = error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!;
        Assert.Equal("PROVIDER_UNAVAILABLE", info.Reason);
        Assert.Equal("land-registry", info.Metadata["provider_id"]);
    }
}
