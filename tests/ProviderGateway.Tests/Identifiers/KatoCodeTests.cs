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
    [InlineData("1952", "3310", false)]
    [InlineData("19", "1952", true)]     // the region contains the district
    [InlineData("1952", "19", true)]
    [InlineData("3310", "3310", true)]
    [InlineData("3310", "331", true)]    // an operator's shorter prefix covers it
    [InlineData("3315", "3310", false)]  // two districts of one region, not 331 and 331
    public void Two_areas_overlap_when_one_lies_inside_the_other(string area, string other, bool expected)
    {
        Assert.Equal(expected, KatoCode.AreasOverlap(area, other));
    }

    [Theory]
    [InlineData("331100000", "3310", false)] // Taldykorgan's prefix is 3310, not 331
    [InlineData("331010100", "3310", true)]
    [InlineData("195220100", "19", true)]
    public void A_unit_is_in_an_area_by_the_areas_prefix(string code, string areaPrefix, bool expected)
    {
        Assert.Equal(expected, KatoCode.IsInArea(code, areaPrefix));
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
