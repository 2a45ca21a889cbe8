using Google.Api;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.BrowserDesks;

/// <summary>The front-desk service's HTTP routes (google.api.http in front_desk.proto): personal identifiers never in a URL.</summary>
public sealed class JsonRoutesTests
{
    private static readonly string[] Identifiers = ["iin", "account_number", "cadastral_number"];

    public static TheoryData<string> Methods => [.. FrontDeskService.Descriptor.Methods.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_method_has_a_route_and_a_personal_data_one_is_a_POST_with_the_request_as_body(string name)
    {
        var descriptor = FrontDeskService.Descriptor.FindMethodByName(name);
        var rule = descriptor.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
        var method = FrontDeskMethods.All.Single(m => m.Name == name);

        Assert.NotNull(rule);
        Assert.StartsWith("/v1/", rule.Post + rule.Get, StringComparison.Ordinal);
        Assert.DoesNotContain('{', rule.Post + rule.Get);
        if (method.PersonalData)
        {
            Assert.Equal(HttpRule.PatternOneofCase.Post, rule.PatternCase);
            Assert.Equal("*", rule.Body);
        }
        else
        {
            // A GET's fields travel in the query: none of them may be an identifier.
            Assert.DoesNotContain(descriptor.InputType.Fields.InFieldNumberOrder(), f => Identifiers.Contains(f.Name));
        }
    }

    [Fact]
    public void Only_the_provider_directory_is_a_GET()
    {
        var gets = FrontDeskService.Descriptor.Methods.Where(m => m.GetOptions().GetExtension(AnnotationsExtensions.Http).PatternCase == HttpRule.PatternOneofCase.Get);

        Assert.Equal(["ListProviders"], gets.Select(m => m.Name));
    }
}
