extern alias kit;

using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using kit::ProviderGateway.Conformance.Assertions;
using kit::ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.Utilities.V1;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Tests.Conformance;

public sealed class DataProblemsTests
{
    private static readonly Regex Cadastral = new(FieldRules.DefaultCadastralNumberPattern);

    [Fact]
    public void Well_formed_data_has_no_problem()
    {
        var problems = new DataProblems();
        problems.Money("amount", new Money { MinorUnits = 1250050, CurrencyCode = "KZT" });
        problems.Money("balance", new Money { MinorUnits = -500, CurrencyCode = "KZT" }, mayBeNegative: true);
        problems.Timestamp("time", Timestamp.FromDateTime(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc)));
        problems.Date("date", new Google.Type.Date { Year = 2024, Month = 2, Day = 29 });
        problems.Date("optional", null, required: false);
        problems.Kato("kato", "196800000");
        problems.Cadastral("cadastral", "03-047-155-123", Cadastral);
        problems.Iin("iin", "791028302728");
        problems.Enum("state", AccountState.Active);

        problems.ThrowIfAny("data"); // does not throw
    }

    [Theory]
    [InlineData("USD", 100, "amount.currency_code: is 'USD'")]
    [InlineData("KZT", -1, "amount.minor_units: is negative (-1)")]
    public void Money_must_be_non_negative_tiyn_in_KZT(string currency, long minorUnits, string expected)
    {
        var problems = new DataProblems();
        problems.Money("amount", new Money { MinorUnits = minorUnits, CurrencyCode = currency });

        var failure = Assert.Throws<ConformanceFailure>(() => problems.ThrowIfAny("GetAccountBalance"));
        Assert.StartsWith("GetAccountBalance: " + expected, failure.Message);
    }

    [Fact]
    public void Each_broken_invariant_is_named_by_its_path()
    {
        var problems = new DataProblems();
        problems.Money("a", null);
        problems.Timestamp("b", null);
        problems.Date("c", new Google.Type.Date { Year = 2025, Month = 2, Day = 29 });
        problems.Kato("d", "12345");
        problems.Cadastral("e", "03-047-155", Cadastral);
        problems.Enum("f", AccountState.Unspecified);
        problems.Enum("g", (AccountState)42);
        problems.Required("h", " ");
        problems.DateRange("i", new DateRange { StartDate = new() { Year = 2026, Month = 5, Day = 1 }, EndDate = new() { Year = 2026, Month = 4, Day = 30 } });

        var message = Assert.Throws<ConformanceFailure>(() => problems.ThrowIfAny("X")).Message;

        foreach (var expected in (string[])["a: is not set", "b: is not set", "c: is 2025-02-29, not a complete calendar date", "d: '12345' is not a KATO code",
            "e: '03-047-155' does not have the cadastral number form", "f: is the UNSPECIFIED (zero) value", "g: is 42, not a value this contract defines",
            "h: is empty", "i: ends before it starts"])
        {
            Assert.Contains(expected, message);
        }
    }

    [Fact]
    public void An_invalid_IIN_is_reported_without_quoting_it()
    {
        var problems = new DataProblems();
        problems.Iin("rights_holders[0].iin", "791028302729");

        var message = Assert.Throws<ConformanceFailure>(() => problems.ThrowIfAny("ListParcels")).Message;

        Assert.Contains("rights_holders[0].iin: is not a valid IIN", message);
        Assert.DoesNotContain("79102830272", message);
    }

    [Fact]
    public void Many_problems_are_cut_to_the_first_twelve()
    {
        var problems = new DataProblems();
        for (var i = 0; i < 20; i++)
        {
            problems.Add($"items[{i}]", "is wrong");
        }

        var message = Assert.Throws<ConformanceFailure>(() => problems.ThrowIfAny("List")).Message;

        Assert.Contains("items[11]", message);
        Assert.DoesNotContain("items[12]", message);
        Assert.EndsWith("and 8 more.", message);
    }

    [Fact]
    public void Contract_names_parse_as_the_gateway_spells_them()
    {
        Assert.Equal(ContractDomain.LandRegistry, ContractDomains.Parse("land_registry"));
        Assert.Equal(ContractDomain.LandRegistry, ContractDomains.Parse("landregistry"));
        Assert.Equal(ContractDomain.SocialServices, ContractDomains.Parse("Social-Services"));
        Assert.Null(ContractDomains.Parse("post_office"));
    }
}
