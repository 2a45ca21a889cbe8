using System.Text.Json;

namespace ProviderGateway.Bench;

/// <summary>A meter of a seed account, with its last reading.</summary>
/// <param name="MeterId">The meter's id on the account.</param>
/// <param name="LastReadingMilliUnits">The last accepted reading.</param>
/// <param name="LastReadingDate">The day of the last reading, when there is one.</param>
public sealed record SeedMeter(string MeterId, long LastReadingMilliUnits, DateOnly? LastReadingDate);

/// <summary>A utility account of the demo seed.</summary>
/// <param name="ProviderId">The provider holding it.</param>
/// <param name="Iin">The holder's IIN.</param>
/// <param name="AccountNumber">The account number.</param>
/// <param name="State">active, suspended or closed.</param>
/// <param name="Meters">Its meters (none for some accounts).</param>
public sealed record SeedAccount(string ProviderId, string Iin, string AccountNumber, string State, IReadOnlyList<SeedMeter> Meters);

/// <summary>The demo data's one source of truth: the seed file's utility accounts.</summary>
public static class SeedAccounts
{
    /// <summary>The utility accounts of <paramref name="providerId"/>, in seed order.</summary>
    public static IReadOnlyList<SeedAccount> Of(string repositoryRoot, string providerId)
    {
        using var seed = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repositoryRoot, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json")));
        return [.. seed.RootElement.GetProperty("utilityAccounts").EnumerateArray()
            .Where(a => a.GetProperty("providerId").GetString() == providerId)
            .Select(a => new SeedAccount(
                providerId,
                a.GetProperty("iin").GetString()!,
                a.GetProperty("accountNumber").GetString()!,
                a.GetProperty("state").GetString()!,
                a.TryGetProperty("meters", out var meters)
                    ? [.. meters.EnumerateArray().Select(m => new SeedMeter(
                        m.GetProperty("meterId").GetString()!,
                        m.GetProperty("lastReadingMilliUnits").GetInt64(),
                        m.TryGetProperty("lastReadingDate", out var day) ? DateOnly.Parse(day.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null))]
                    : []))];
    }
}
