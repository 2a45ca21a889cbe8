using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// The demo data every demo provider answers from: districts, providers, citizens and what the
/// providers hold about them. It is read from one file, <c>seed/demo-seed.json</c>, which tests and
/// scripts read too, so there is one source of truth for demo data. Loading validates it: a seed that
/// breaks a rule (a bad IIN, an account of an unknown citizen, a duplicate id...) is refused with
/// <see cref="DemoSeedException"/> listing every problem.
/// </summary>
public sealed record DemoSeed
{
    /// <summary>The districts the demo covers, with display names for addresses.</summary>
    public required IReadOnlyList<DemoSeedDistrict> Districts { get; init; }

    /// <summary>Every demo provider, in the order they are documented and started.</summary>
    public required IReadOnlyList<DemoSeedProvider> Providers { get; init; }

    /// <summary>The citizens the providers know.</summary>
    public required IReadOnlyList<DemoSeedCitizen> Citizens { get; init; }

    /// <summary>Personal accounts held with the utility providers.</summary>
    public IReadOnlyList<DemoSeedUtilityAccount> UtilityAccounts { get; init; } = [];

    /// <summary>Land parcels registered with the land registry.</summary>
    public IReadOnlyList<DemoSeedParcel> Parcels { get; init; } = [];

    /// <summary>Benefits assigned by the social services providers.</summary>
    public IReadOnlyList<DemoSeedBenefit> Benefits { get; init; } = [];

    /// <summary>
    /// Where <see cref="Load"/> looks by default: <c>seed/demo-seed.json</c> next to the assembly
    /// (the project copies it to the output folder of every project that references it).
    /// </summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "seed", "demo-seed.json");

    /// <summary>The JSON settings of the seed file: camelCase names, snake_case enum values, no unknown members.</summary>
    internal static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    /// <summary>Reads and validates a seed file.</summary>
    /// <param name="path">The file to read; <see cref="DefaultPath"/> when <c>null</c>.</param>
    /// <exception cref="DemoSeedException">When the file is missing, is not valid JSON or breaks a seed rule.</exception>
    public static DemoSeed Load(string? path = null)
    {
        path ??= DefaultPath;
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DemoSeedException(path, [$"The seed file cannot be read: {e.Message}"], e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates seed JSON.</summary>
    /// <param name="json">The seed document.</param>
    /// <param name="source">Where the JSON came from, for error messages.</param>
    /// <exception cref="DemoSeedException">When the JSON is malformed or breaks a seed rule.</exception>
    public static DemoSeed Parse(string json, string source = "demo seed")
    {
        DemoSeed? seed;
        try
        {
            seed = JsonSerializer.Deserialize<DemoSeed>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new DemoSeedException(source, [$"The seed is not valid seed JSON at {e.Path ?? "$"} (line {e.LineNumber + 1}): {e.Message}"], e);
        }

        if (seed is null)
        {
            throw new DemoSeedException(source, ["The seed is empty (the JSON document is null)."]);
        }

        var problems = DemoSeedValidator.Validate(seed);
        return problems.Count == 0 ? seed : throw new DemoSeedException(source, problems);
    }

    /// <summary>The provider with this id, or <c>null</c>.</summary>
    public DemoSeedProvider? FindProvider(string providerId) =>
        Providers.FirstOrDefault(p => string.Equals(p.Id, providerId, StringComparison.Ordinal));

    /// <summary>The citizen with this IIN, or <c>null</c>.</summary>
    public DemoSeedCitizen? FindCitizen(string iin) =>
        Citizens.FirstOrDefault(c => string.Equals(c.Iin, iin, StringComparison.Ordinal));

    /// <summary>The district with this KATO code, or <c>null</c>.</summary>
    public DemoSeedDistrict? FindDistrict(string katoCode) =>
        Districts.FirstOrDefault(d => string.Equals(d.KatoCode, katoCode, StringComparison.Ordinal));

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // A typo in a hand-written seed should fail loudly, not leave a property at its default.
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            RespectNullableAnnotations = true,
            WriteIndented = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
