using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Providers;
using ProviderGateway.Routing;

namespace ProviderGateway.Tests.Routing;

public sealed class ProviderRouterTests
{
    private static readonly ProviderRouter Router = new(new ProviderRegistry(Options.Create(new GatewayOptions
    {
        Providers =
        [
            Provider("almaty-power", "utilities", "193600000", "195200000"),
            Provider("zhetysu-power", "utilities", "331000000"),
            Provider("regional-water", "utilities", "190000000", "330000000"),
            Provider("land", "land_registry"),
            Provider("social-fund", "social_services"),
            Provider("assistance-almaty", "social_services", "190000000"),
        ],
    }), Options.Create(new ResilienceOptions())));

    [Fact]
    public void Fan_out_keeps_providers_serving_the_district_and_nationwide_ones_in_configuration_order()
    {
        var ids = Router.FanOut(Domain.Unspecified, "195220100").Select(p => p.Id);

        Assert.Equal(["almaty-power", "regional-water", "land", "social-fund", "assistance-almaty"], ids);
    }

    [Fact]
    public void Fan_out_without_a_district_takes_every_provider_of_the_domain()
    {
        var ids = Router.FanOut(Domain.Utilities, "").Select(p => p.Id);

        Assert.Equal(["almaty-power", "zhetysu-power", "regional-water"], ids);
    }

    [Fact]
    public void A_district_code_does_not_match_a_sibling_district_with_the_same_leading_digits()
    {
        var ids = Router.FanOut(Domain.Utilities, "331500000").Select(p => p.Id);

        Assert.Equal(["regional-water"], ids);
    }

    [Fact]
    public void Single_takes_the_named_provider()
    {
        Assert.Equal("zhetysu-power", Router.Single(Domain.Utilities, "zhetysu-power", "195200000").Id);
    }

    [Fact]
    public void Single_takes_the_only_provider_of_the_domain_when_none_is_named()
    {
        Assert.Equal("land", Router.Single(Domain.LandRegistry, "", "331000000").Id);
    }

    [Fact]
    public void Single_refuses_to_guess_between_several_providers()
    {
        var error = Assert.Throws<RpcException>(() => Router.Single(Domain.Utilities, "", "195200000"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal("provider_id", violation.Field);
        Assert.Contains("almaty-power", violation.Description, StringComparison.Ordinal);
        Assert.Contains("regional-water", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_rejects_an_unknown_provider_with_NOT_FOUND_and_resource_info()
    {
        var error = Assert.Throws<RpcException>(() => Router.Single(Domain.Utilities, "nobody", ""));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("nobody", error.GetRpcStatus()!.GetDetail<Google.Rpc.ResourceInfo>()!.ResourceName);
    }

    [Fact]
    public void Single_rejects_a_provider_of_another_domain()
    {
        var error = Assert.Throws<RpcException>(() => Router.Single(Domain.Utilities, "land", ""));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("provider_id", error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations[0].Field);
    }

    [Fact]
    public void Single_reports_a_district_no_provider_serves_as_a_failed_precondition()
    {
        var error = Assert.Throws<RpcException>(() => Router.Single(Domain.Utilities, "", "511000000"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("NO_PROVIDER_FOR_DISTRICT", error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
    }

    private static ProviderOptions Provider(string id, string domain, params string[] katoCodes) => new()
    {
        Id = id,
        Domain = domain,
        Endpoint = "http://127.0.0.1:1",
        KatoCodes = katoCodes,
    };
}
