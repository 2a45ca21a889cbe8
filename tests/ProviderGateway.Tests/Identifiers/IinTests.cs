using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Tests.Identifiers;

public sealed class IinTests
{
    [Theory]
    [InlineData("791028302728")] // check digit from the first weight set (DESIGN.md)
    [InlineData("061211600012")] // the first sum is 10: check digit from the second weight set (DESIGN.md)
    [InlineData("000229500018")] // 29 February 2000, a leap year
    [InlineData("950102300011")]
    public void Valid_IINs_pass(string iin)
    {
        Assert.Null(Iin.Validate(iin));
        Assert.True(Iin.IsValid(iin));
    }

    [Fact]
    public void Second_weight_set_is_needed_for_061211600012()
    {
        var firstPass = "06121160001".Select((c, i) => (c - '0') * (i + 1)).Sum() % 11;

        Assert.Equal(10, firstPass);
        Assert.Equal(2, CheckDigit.Compute("06121160001"));
    }

    [Theory]
    [InlineData("791028302729", "IIN_CHECK_DIGIT_MISMATCH")]
    [InlineData("061211600013", "IIN_CHECK_DIGIT_MISMATCH")]
    [InlineData("791028300950", "IIN_NEVER_ISSUED")] // both weight sets give 10
    [InlineData("000229300015", "IIN_INVALID_BIRTH_DATE")] // 29 February 1900 did not exist
    [InlineData("791328302728", "IIN_INVALID_BIRTH_DATE")] // month 13
    [InlineData("790230302728", "IIN_INVALID_BIRTH_DATE")] // 30 February
    [InlineData("791000302728", "IIN_INVALID_BIRTH_DATE")] // day 0
    [InlineData("791028002728", "IIN_INVALID_CENTURY_DIGIT")]
    [InlineData("791028702728", "IIN_INVALID_CENTURY_DIGIT")]
    [InlineData("791028902728", "IIN_INVALID_CENTURY_DIGIT")]
    [InlineData("79102830272", "IIN_WRONG_LENGTH")] // 11 digits
    [InlineData("7910283027281", "IIN_WRONG_LENGTH")] // 13 digits
    [InlineData("79102830272A", "IIN_NOT_DIGITS")]
    [InlineData("7910 2830272", "IIN_NOT_DIGITS")]
    [InlineData("٧٩١٠٢٨٣٠٢٧٢٨", "IIN_NOT_DIGITS")] // Arabic-Indic digits are digits, but not ASCII ones
    [InlineData("", "IIN_MISSING")]
    [InlineData(null, "IIN_MISSING")]
    public void Invalid_IINs_are_rejected_with_a_stable_reason(string? iin, string reason)
    {
        var problem = Iin.Validate(iin);

        Assert.NotNull(problem);
        Assert.Equal(reason, problem.Reason);
        Assert.False(string.IsNullOrWhiteSpace(problem.Description));
    }

    [Fact]
    public void Problem_descriptions_never_contain_the_identifier()
    {
        var problem = Iin.Validate("791028302729");

        Assert.NotNull(problem);
        Assert.DoesNotContain("791028302729", problem.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Birth_date_and_sex_are_read_from_the_IIN()
    {
        Assert.Equal(new DateOnly(1979, 10, 28), Iin.GetBirthDate("791028302728"));
        Assert.True(Iin.IsMale("791028302728")); // century digit 3
        Assert.Equal(new DateOnly(2006, 12, 11), Iin.GetBirthDate("061211600012"));
        Assert.False(Iin.IsMale("061211600012")); // century digit 6
    }

    [Fact]
    public void Create_builds_valid_IINs_or_none_when_the_serial_admits_no_check_digit()
    {
        Assert.Equal("791028302728", Iin.Create(new DateOnly(1979, 10, 28), male: true, serial: 272));
        Assert.Null(Iin.Create(new DateOnly(1979, 10, 28), male: true, serial: 95));

        var created = Enumerable.Range(0, 500)
            .Select(serial => Iin.Create(new DateOnly(2001, 2, 28), male: false, serial))
            .OfType<string>()
            .ToList();
        Assert.NotEmpty(created);
        Assert.All(created, iin => Assert.Null(Iin.Validate(iin)));
    }
}
