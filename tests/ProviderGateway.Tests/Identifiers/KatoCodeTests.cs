using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Tests.Identifiers;

public sealed class KatoCodeTests
{
    [Theory]
    [InlineData("195200000", "1952")] // Karasai district
    [InlineData("331000000", "3310")] // Taldykorgan: the zero of "10" is significant
    [InlineData("190000000", "19")] // the whole Almaty region
    [InlineData("195220100", "195220100")] // a settlement
    [InlineData("195221000", "195221")]
    public void Area_prefix_keeps_levels_up_to_the_last_non_zero_one(string code, string prefix)
    {
        Assert.Equal(prefix, KatoCode.AreaPrefix(code));
    }

    [Theory]
    [InlineData("195220100", "195200000", true)]
    [InlineData("195200000", "190000000", true)]
    [InlineData("331000000", "331000000", true)]
    [InlineData("331500000", "331000000", false)] // another district of the same region
    [InlineData("193600000", "195200000", false)]
    public void IsWithin_follows_the_administrative_hierarchy(string code, string area, bool expected)
    {
        Assert.Equal(expected, KatoCode.IsWithin(code, area));
    }

    [Theory]
    [InlineData("19520000")]
    [InlineData("1952000000")]
    [InlineData("19520000A")]
    [InlineData("000000000")]
    [InlineData("")]
    public void Malformed_codes_are_rejected(string code)
    {
        Assert.NotNull(KatoCode.Validate(code));
    }
}
