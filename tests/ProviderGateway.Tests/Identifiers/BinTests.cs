using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Tests.Identifiers;

public sealed class BinTests
{
    [Theory]
    [InlineData("050140000011")] // resident legal entity, head office
    [InlineData("150240001232")]
    [InlineData("991251007774")] // non-resident, branch
    [InlineData("181040000057")]
    [InlineData("200763000428")] // joint individual entrepreneur, peasant farm
    public void Valid_BINs_pass(string bin)
    {
        var problem = Bin.Validate(bin);

        Assert.Null(problem);
    }

    [Theory]
    [InlineData("050140000012", "BIN_CHECK_DIGIT_MISMATCH")]
    [InlineData("051340000011", "BIN_INVALID_REGISTRATION_MONTH")]
    [InlineData("050130000011", "BIN_INVALID_ENTITY_TYPE")]
    [InlineData("050147000011", "BIN_INVALID_UNIT_TYPE")]
    [InlineData("05014000001", "BIN_WRONG_LENGTH")]
    [InlineData("05014000001X", "BIN_NOT_DIGITS")]
    [InlineData("", "BIN_MISSING")]
    public void Invalid_BINs_are_rejected_with_a_stable_reason(string bin, string reason)
    {
        var problem = Bin.Validate(bin);

        Assert.NotNull(problem);
        Assert.Equal(reason, problem.Reason);
    }
}
