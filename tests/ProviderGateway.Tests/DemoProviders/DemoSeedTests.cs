using System.Text.Json.Nodes;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class DemoSeedTests
{
    private static DemoSeed Seed => DemoProviderHarness.Seed;

    [Fact]
    public void Seed_loads_from_next_to_the_assembly_and_validates()
    {
        var seed = DemoSeed.Load();

        Assert.True(File.Exists(DemoSeed.DefaultPath));
        Assert.True(seed.Citizens.Count >= 24);
        Assert.True(seed.Parcels.Count >= 15);
        Assert.True(seed.Benefits.Count >= 12);
    }

    [Fact]
    public void Seed_has_the_nine_documented_providers_in_order()
    {
        string[] expected =
        [
            "alatau-power", "zhetysu-power", "regional-water", "qazaq-gas-demo", "teplo-service", "tazalyk-waste",
            "land-registry", "social-insurance-fund", "targeted-assistance",
        ];

        Assert.Equal(expected, Seed.Providers.Select(p => p.Id));
        Assert.All(Seed.Providers, p => Assert.EndsWith(" (demo)", p.DisplayName));
        Assert.Equal(new[] { BenefitType.TargetedSocialAssistance }, Seed.FindProvider("targeted-assistance")!.BenefitTypes);
        Assert.Empty(Seed.FindProvider("land-registry")!.KatoCodes);
        Assert.Equal(DemoDomain.SocialServices, Seed.FindProvider("social-insurance-fund")!.Domain);
    }

    [Fact]
    public void Every_citizen_IIN_is_valid_and_the_design_examples_are_citizens()
    {
        Assert.All(Seed.Citizens, c => Assert.Null(Iin.Validate(c.Iin)));
        Assert.NotNull(Seed.FindCitizen("791028302728"));
        Assert.NotNull(Seed.FindCitizen("061211600012"));
    }

    [Fact]
    public void Citizens_mix_sexes_and_centuries_and_every_district_has_two()
    {
        Assert.Contains(Seed.Citizens, c => Iin.IsMale(c.Iin));
        Assert.Contains(Seed.Citizens, c => !Iin.IsMale(c.Iin));
        Assert.Contains(Seed.Citizens, c => Iin.GetBirthDate(c.Iin).Year < 2000);
        Assert.Contains(Seed.Citizens, c => Iin.GetBirthDate(c.Iin).Year >= 2000);
        Assert.All(Seed.Districts, d => Assert.True(Seed.Citizens.Count(c => c.KatoCode == d.KatoCode) >= 2, $"district {d.District}"));
    }

    [Fact]
    public void Seed_covers_the_cases_the_demo_needs()
    {
        var accountsPerCitizen = Seed.Citizens.ToDictionary(c => c.Iin, c => Seed.UtilityAccounts.Count(a => a.Iin == c.Iin));

        Assert.Contains(accountsPerCitizen.Values, count => count == 0);
        Assert.All(accountsPerCitizen.Values.Where(count => count > 0), count => Assert.InRange(count, 2, 5));
        Assert.Contains(Seed.UtilityAccounts.GroupBy(a => (a.ProviderId, a.Iin)), g => g.Count() >= 3);
        Assert.All(Seed.UtilityAccounts, a => Assert.InRange(a.Invoices.Count, 6, 12));
        Assert.Contains(Seed.UtilityAccounts, a => a.Balance.MinorUnits > 0);
        Assert.Contains(Seed.UtilityAccounts, a => a.Balance.MinorUnits < 0);
        Assert.Contains(Seed.UtilityAccounts, a => a.Balance.MinorUnits == 0);
        Assert.True(Seed.Citizens.Count(c => !Seed.Parcels.Any(p => p.RightsHolders.Any(h => h.Iin == c.Iin))) >= 3);
        Assert.Contains(Seed.Parcels, p => p.RightsHolders.Count > 1);
        Assert.Contains(Seed.Parcels, p => p.Encumbrances.Any(e => e.Type == Contracts.LandRegistry.V1.EncumbranceType.Mortgage));
        Assert.Contains(Seed.Parcels, p => p.Encumbrances.Any(e => e.Type == Contracts.LandRegistry.V1.EncumbranceType.Arrest));
        Assert.Contains(Seed.Citizens, c => !Seed.Benefits.Any(b => b.Iin == c.Iin));
        Assert.All(
            Seed.Benefits.Where(b => b.BenefitType == BenefitType.TargetedSocialAssistance),
            b => Assert.Equal(PaymentFrequency.Quarterly, b.Frequency));
    }

    [Fact]
    public void A_seed_with_a_bad_IIN_is_refused_naming_the_item()
    {
        var json = JsonNode.Parse(File.ReadAllText(DemoSeed.DefaultPath))!;
        json["citizens"]![3]!["iin"] = "791028302729";

        var e = Assert.Throws<DemoSeedException>(() => DemoSeed.Parse(json.ToJsonString(), "edited seed"));

        Assert.Contains("citizens[3].iin", e.Message);
        Assert.Contains(e.Problems, p => p.StartsWith("citizens[3].iin:", StringComparison.Ordinal));
        Assert.DoesNotContain("791028302729", e.Message);
    }

    [Fact]
    public void A_seed_whose_balance_disagrees_with_its_invoices_and_payments_is_refused()
    {
        var json = JsonNode.Parse(File.ReadAllText(DemoSeed.DefaultPath))!;
        json["utilityAccounts"]![0]!["balance"]!["minorUnits"] = 123;

        var e = Assert.Throws<DemoSeedException>(() => DemoSeed.Parse(json.ToJsonString()));

        Assert.Contains(e.Problems, p => p.StartsWith("utilityAccounts[0].balance:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_seed_with_an_account_of_an_unknown_citizen_or_a_foreign_currency_is_refused()
    {
        var json = JsonNode.Parse(File.ReadAllText(DemoSeed.DefaultPath))!;
        json["utilityAccounts"]![1]!["iin"] = DemoProviderHarness.UnknownIin;
        json["benefits"]![0]!["amount"]!["currencyCode"] = "USD";

        var e = Assert.Throws<DemoSeedException>(() => DemoSeed.Parse(json.ToJsonString()));

        Assert.Contains(e.Problems, p => p.StartsWith("utilityAccounts[1].iin: names no citizen", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("benefits[0].amount.currencyCode:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_seed_with_a_misspelt_property_is_refused()
    {
        var json = JsonNode.Parse(File.ReadAllText(DemoSeed.DefaultPath))!;
        json["citizens"]![0]!["fullname"] = "Typo";

        var e = Assert.Throws<DemoSeedException>(() => DemoSeed.Parse(json.ToJsonString()));

        Assert.Contains("fullname", e.Message);
    }

    [Fact]
    public void A_missing_seed_file_is_reported_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-seed-{Guid.NewGuid():N}.json");

        var e = Assert.Throws<DemoSeedException>(() => DemoSeed.Load(path));

        Assert.Contains(path, e.Message);
    }
}
