using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class BrowserDesksOptionsValidatorTests
{
    private static IEnumerable<string> Failures(params string[] origins) =>
        new BrowserDesksOptionsValidator().Validate(null, new BrowserDesksOptions { AllowedOrigins = origins }).Failures ?? [];

    [Fact]
    public void No_origin_and_origins_as_browsers_send_them_are_valid()
    {
        Assert.Empty(Failures());
        Assert.Empty(Failures("https://desk.akimat.example.kz", "http://127.0.0.1:5173", "https://desk.example.kz:8443"));
    }

    [Theory]
    [InlineData("*", "is not allowed")]
    [InlineData("desk.akimat.example.kz", "must be an absolute http:// or https:// origin")]
    [InlineData("ftp://desk.akimat.example.kz", "must be an absolute http:// or https:// origin")]
    [InlineData("https://desk.akimat.example.kz/", "must be only scheme://host[:port]")]
    [InlineData("https://desk.akimat.example.kz/app", "must be only scheme://host[:port]")]
    [InlineData("https://desk.akimat.example.kz:443", "must be only scheme://host[:port]")]
    [InlineData("https://user@desk.akimat.example.kz", "must be only scheme://host[:port]")]
    public void An_origin_a_browser_would_never_send_is_reported_with_its_key(string origin, string problem)
    {
        var failure = Assert.Single(Failures("https://desk.example.kz", origin));

        Assert.StartsWith($"Gateway:BrowserDesks:AllowedOrigins:1 '{origin}' {problem}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_origin_listed_twice_is_reported()
    {
        var failure = Assert.Single(Failures("https://desk.example.kz", "https://desk.example.kz"));

        Assert.Contains("AllowedOrigins:1", failure, StringComparison.Ordinal);
        Assert.Contains("listed twice", failure, StringComparison.Ordinal);
    }
}
