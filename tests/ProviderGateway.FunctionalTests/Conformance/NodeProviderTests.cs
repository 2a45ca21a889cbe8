using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>
/// A provider written outside the .NET solution, in Node.js from the .proto files alone
/// (NodeProvider/land-registry-provider.js), passes the conformance kit and is served through the
/// gateway by configuration only.
/// </summary>
public sealed class NodeProviderTests
{
    [Fact]
    public async Task The_Node_provider_passes_the_conformance_kit()
    {
        await using var provider = await ProviderProcess.StartNodeLandRegistryAsync();

        var report = await ConformanceKitTests.RunKitAsync("land_registry", provider.Address);

        Assert.True(report.Passed, ConformanceKitTests.Describe(report));
    }

    [Fact]
    public async Task The_gateway_serves_the_Node_provider_configured_on_its_command_line()
    {
        await using var provider = await ProviderProcess.StartNodeLandRegistryAsync();
        await using var gateway = await GatewayProcess.StartAsync(GatewayProcess.SettingsFor(
            [new ConfiguredProvider("node-land-registry", "land_registry", provider.Address, [])]));
        var caller = new Dictionary<string, string> { ["PG_API_KEY"] = TestSecrets.ApiKey };

        var parcels = await ScriptRunner.RunAsync(gateway.GrpcAuthority, caller, "parcels.sh", "791028302728", "100");
        Assert.True(parcels.ExitCode == 0, parcels.Error);
        var listed = parcels.Json.GetProperty("parcels").EnumerateArray().ToList();
        Assert.Equal(3, listed.Count);
        Assert.All(listed, p => Assert.Equal("node-land-registry", p.GetProperty("providerId").GetString()));
        var source = Assert.Single(parcels.Json.GetProperty("sources").EnumerateArray());
        Assert.Equal("node-land-registry", source.GetProperty("providerId").GetString());

        var cadastral = listed[0].GetProperty("parcel").GetProperty("cadastralNumber").GetString()!;
        var parcel = await ScriptRunner.RunAsync(gateway.GrpcAuthority, caller, "parcel.sh", cadastral, "node-land-registry");
        Assert.True(parcel.ExitCode == 0, parcel.Error);
        Assert.Equal(cadastral, parcel.Json.GetProperty("parcel").GetProperty("cadastralNumber").GetString());

        var order = await ScriptRunner.RunAsync(gateway.GrpcAuthority, caller, "certificate-order.sh",
            "CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES", "791028302728", cadastral);
        Assert.True(order.ExitCode == 0, order.Error);
        Assert.Equal("CERTIFICATE_ORDER_STATE_IN_PROGRESS", order.Json.GetProperty("order").GetProperty("state").GetString());

        var invalid = await ScriptRunner.RunAsync(gateway.GrpcAuthority, caller, "parcel.sh", "12-345", "node-land-registry");
        Assert.Equal(3 << 3, invalid.ExitCode); // INVALID_ARGUMENT, as buf curl reports it
    }
}
