using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Tests.Identifiers;

public sealed class ProviderIdTests
{
    [Theory]
    [InlineData("alatau-power")]
    [InlineData("a")]
    [InlineData("9")]
    [InlineData("provider-with-a-name-of-exactly-sixty-four-characters-0123456789")]
    public void Lower_case_letters_digits_and_dashes_starting_with_a_letter_or_digit_are_provider_ids(string id) =>
        Assert.True(ProviderId.IsValid(id), id);

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("-power")]
    [InlineData("Alatau-Power")]
    [InlineData("alatau_power")]
    [InlineData("alatau power")]
    [InlineData("provider-with-a-name-of-exactly-sixty-five-characters-01234567890")]
    public void Anything_else_is_PROVIDER_ID_MALFORMED(string? id) =>
        Assert.Equal("PROVIDER_ID_MALFORMED", ProviderId.Validate(id)?.Reason);
}
