using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.Localization;

namespace ProviderGateway.Tests.Errors;

/// <summary>
/// The messages for people of every error reason, in Kazakh, Russian and English: the three resource sets hold the same
/// keys and placeholders, every reason the contracts define has one, and a call's Accept-Language picks the language.
/// </summary>
public sealed class ErrorMessagesTests
{
    private static readonly ResourceManager Resources = new("ProviderGateway.Contracts.Localization.ErrorMessages", typeof(ErrorMessages).Assembly);

    [Fact]
    public void The_three_languages_hold_the_same_keys_with_the_same_placeholders_and_different_texts()
    {
        var english = Messages("en");
        foreach (var language in new[] { "kk", "ru" })
        {
            var other = Messages(language);
            Assert.Equal(english.Keys.Order(), other.Keys.Order());
            foreach (var (key, text) in english)
            {
                Assert.Equal(Placeholders(text), Placeholders(other[key]));
                Assert.NotEqual(text, other[key]);
            }
        }
    }

    [Fact]
    public void Every_reason_of_the_contracts_has_a_message()
    {
        var reasons = typeof(ErrorReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        var english = Messages("en");

        Assert.True(reasons.Count > 40);
        Assert.All(reasons, r => Assert.True(english.ContainsKey(r), $"no message for {r}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("79102830272")]
    [InlineData("7910283027a8")]
    [InlineData("791028302729")]
    [InlineData("791328302728")]
    [InlineData("791028902728")]
    public void Every_IIN_mistake_has_a_message_in_each_language(string iin)
    {
        var problem = Iin.Validate(iin)!;

        Assert.All(ErrorMessages.Languages, l => Assert.False(string.IsNullOrEmpty(ErrorMessages.Find(problem.Reason, l)), $"{problem.Reason} in {l}"));
    }

    [Fact]
    public void A_message_is_filled_from_the_values_and_a_more_precise_key_wins()
    {
        Assert.Equal("Неверный код. Осталось попыток: 3.", ErrorMessages.Find(ErrorReasons.ConsentCodeWrong, "ru", values: new Dictionary<string, string> { ["attempts_left"] = "3" }));
        Assert.Equal("Гражданин отозвал это согласие: запросите новое.", ErrorMessages.Find(ErrorReasons.ConsentRequired, "ru", "REVOKED"));
        Assert.Equal("Для этого нужно согласие гражданина.", ErrorMessages.Find(ErrorReasons.ConsentRequired, "ru", "SOMETHING_NEW"));
        Assert.Null(ErrorMessages.Find("A_PROVIDERS_OWN_REASON", "ru"));
        Assert.Null(ErrorMessages.Find(ErrorReasons.ConsentRequired, "de"));
    }

    [Theory]
    [InlineData(null, "ru")]
    [InlineData("", "ru")]
    [InlineData("kk", "kk")]
    [InlineData("kk-KZ", "kk")]
    [InlineData("EN-gb", "en")]
    [InlineData("de-DE, en;q=0.5, ru;q=0.7", "ru")]
    [InlineData("ru;q=0.5, kk;q=0.5", "ru")]
    [InlineData("de, fr", "ru")]
    [InlineData("kk;q=0, en", "en")]
    [InlineData("kk;q=nonsense, en;q=0.1", "en")]
    [InlineData("*", "ru")]
    public void Accept_language_picks_the_best_supported_language_else_the_default(string? acceptLanguage, string expected) =>
        Assert.Equal(expected, ErrorMessages.Negotiate(acceptLanguage, "ru"));

    private static Dictionary<string, string> Messages(string language)
    {
        var culture = language == "en" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language);
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!;
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    private static List<string> Placeholders(string text) =>
        [.. System.Text.RegularExpressions.Regex.Matches(text, "{[a-z_]+}").Select(m => m.Value).Order()];
}
