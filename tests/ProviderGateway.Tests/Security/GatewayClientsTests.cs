using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

public sealed class GatewayClientsTests
{
    private static readonly FrontDeskMethod Overview = FrontDeskMethods.Find("GetCitizenOverview")!;
    private static readonly FrontDeskMethod Balance = FrontDeskMethods.Find("GetUtilityAccountBalance")!;
    private static readonly FrontDeskMethod Parcel = FrontDeskMethods.Find("GetParcel")!;

    private static GatewayClients Clients(params ClientOptions[] clients) =>
        new(Options.Create(new SecurityOptions { Clients = clients }));

    [Fact]
    public void A_key_finds_its_client_by_hash_and_nothing_else_does()
    {
        var clients = Clients(new ClientOptions { Id = "karasai-office", ApiKeySha256 = [GatewayClients.HashKey("the-key").ToUpperInvariant()], Permissions = ["*"], Districts = ["*"] });

        Assert.Equal("karasai-office", clients.FindByApiKey("the-key")?.Id);
        Assert.Null(clients.FindByApiKey("the-key "));
        Assert.Null(clients.FindByApiKey(GatewayClients.HashKey("the-key")));
        Assert.Equal("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", GatewayClients.HashKey("x")); // sha256sum of "x"
    }

    [Fact]
    public void Permissions_name_methods_or_domains_and_districts_are_prefixes()
    {
        var client = Clients(new ClientOptions { Id = "balkhash", ApiKeySha256 = [GatewayClients.HashKey("k")], Permissions = ["overview", "GetParcel"], Districts = ["1936"] })
            .FindByApiKey("k")!;

        Assert.True(client.MayCall(Overview));
        Assert.True(client.MayCall(Parcel));
        Assert.False(client.MayCall(Balance));
        Assert.True(client.MayAsk("193600000"));
        Assert.False(client.MayAsk("195200000"));
        Assert.False(client.AllDistricts);
        Assert.True(client.Overlaps(["193600000", "195200000"]));
        Assert.True(client.Overlaps([]));          // a nationwide provider
        Assert.True(client.Overlaps(["190000000"])); // a provider of the whole region
        Assert.False(client.Overlaps(["331000000"]));
        // A code's area is its significant levels (KATO levels of 2, 2, 2, 3 digits), not its digits up to trailing zeros:
        // 100000000 is region 10, which does not contain 1936.
        Assert.False(client.Overlaps(["100000000"]));
    }

    [Fact]
    public void A_district_written_as_a_whole_KATO_code_covers_its_area_as_its_prefix_does()
    {
        var client = Clients(new ClientOptions { Id = "karasai", ApiKeySha256 = [GatewayClients.HashKey("k")], Permissions = ["*"], Districts = ["195200000"] }).FindByApiKey("k")!;

        Assert.True(client.MayAsk("195200000"));
        Assert.True(client.MayAsk("195230100"));  // a rural district of Karasai
        Assert.False(client.MayAsk("193600000"));
        Assert.True(client.Scope.Contains("195230100"));
        Assert.True(client.Overlaps(["190000000"]));
        Assert.False(client.Overlaps(["331000000"]));
    }

    [Fact]
    public void A_method_the_catalogue_cannot_classify_is_refused_even_to_a_client_with_every_permission()
    {
        var everything = Clients(new ClientOptions { Id = "all", ApiKeySha256 = [GatewayClients.HashKey("k")], Permissions = ["*"], Districts = ["*"] }).FindByApiKey("k")!;
        var unclassified = new FrontDeskMethod("GetSomethingNew", "", PersonalData: true, "/providergateway.frontdesk.v1.FrontDeskService/GetSomethingNew", "");

        Assert.False(everything.MayCall(unclassified));
        Assert.True(everything.MayCall(Overview));
        Assert.False(FrontDeskMethods.IsPermission("GetSomethingNew"));
    }

    [Fact]
    public void Every_front_desk_method_has_a_group_and_only_the_directory_is_not_personal_data()
    {
        Assert.Equal(FrontDeskService.Descriptor.Methods.Count, FrontDeskMethods.All.Count());
        Assert.All(FrontDeskMethods.All, m => Assert.Contains(m.Group, FrontDeskMethods.Groups));
        Assert.Equal(["ListProviders"], FrontDeskMethods.All.Where(m => !m.PersonalData).Select(m => m.Name));
        Assert.Null(FrontDeskMethods.Find("Check"));
        Assert.Null(FrontDeskMethods.Find("getcitizenoverview"));
        Assert.All(FrontDeskMethods.All, m => Assert.Equal($"/providergateway.frontdesk.v1.FrontDeskService/{m.Name}", m.GrpcPath));
        Assert.All(FrontDeskMethods.All, m => Assert.StartsWith("/v1/", m.JsonPath, StringComparison.Ordinal));
        Assert.True(FrontDeskMethods.IsPermission("land_registry"));
        Assert.False(FrontDeskMethods.IsPermission("electricity"));
    }

    [Theory]
    [InlineData("", "", "OPERATOR_ID_REQUIRED,ACCESS_PURPOSE_REQUIRED")]
    [InlineData("op 17", "Why?", "OPERATOR_ID_INVALID,ACCESS_PURPOSE_INVALID")]
    [InlineData("aigerim.b@karasai", "citizen-enquiry", "")]
    public void Operator_and_purpose_are_required_and_well_formed(string operatorId, string purpose, string reasons)
    {
        var problem = CallerIdentity.Problems(operatorId, purpose);

        var found = problem?.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.Select(v => v.Reason) ?? [];
        Assert.Equal(reasons, string.Join(",", found));
    }
}
