using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class ProviderApiKeysTests
{
    private const string Section = "Gateway:Providers:0:ApiKey";

    [Theory]
    [InlineData("x-api-key", "k3y-value")]
    [InlineData("authorization", "ApiKey k3y-value")]
    [InlineData("x-provider.key_1", "~!k3y")]
    public void A_key_of_printable_ASCII_in_a_lower_case_header_has_no_problem(string header, string key) =>
        Assert.Empty(ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions { Header = header, Key = key }));

    [Theory]
    [InlineData("X-Api-Key")]
    [InlineData("grpc-key")]
    [InlineData("x-key-bin")]
    [InlineData("x-operator-id")]
    [InlineData("traceparent")]
    [InlineData("content-type")]
    [InlineData("")]
    [InlineData("x key")]
    public void A_header_the_gateway_may_not_send_a_key_in_is_named(string header)
    {
        var problems = ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions { Header = header, Key = "k3y" }).ToList();

        Assert.Single(problems, p => p.StartsWith($"{Section}:Header '{header}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" k3y")]
    [InlineData("k3y ")]
    [InlineData("k3y\r\nx-injected: 1")]
    [InlineData("ключ")]
    public void A_key_that_cannot_travel_as_metadata_is_refused_without_showing_it(string key)
    {
        var problems = ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions { Key = key }).ToList();

        var problem = Assert.Single(problems);
        Assert.StartsWith($"{Section}: the key must be", problem, StringComparison.Ordinal);
        Assert.True(key.Trim().Length == 0 || !problem.Contains(key.Trim(), StringComparison.Ordinal), problem);
    }

    [Fact]
    public void Exactly_one_source_of_the_key_is_required_and_a_key_file_must_exist()
    {
        Assert.Single(ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions()), p => p.Contains("exactly one of", StringComparison.Ordinal));
        Assert.Single(ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions { Key = "k", KeyFile = "/tmp/k" }), p => p.Contains("exactly one of", StringComparison.Ordinal));
        Assert.Single(ProviderApiKeys.Problems(Section, new ProviderApiKeyOptions { KeyFile = "/nonexistent/key" }), p => p.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_file_is_read_without_its_surrounding_whitespace()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "  k3y-from-file\n");
            var options = new ProviderApiKeyOptions { KeyFile = file };

            Assert.Empty(ProviderApiKeys.Problems(Section, options));
            Assert.Equal("k3y-from-file", ProviderApiKeys.Read(options));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
