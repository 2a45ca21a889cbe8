namespace ProviderGateway.DemoProviders.Data;

/// <summary>
/// Calendar days in Kazakhstan local time, which the contracts use for dates ("not in the future",
/// billing periods). The whole country keeps UTC+5 since 1 March 2024.
/// </summary>
internal static class KazakhstanTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(5);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(Offset).DateTime);

    /// <summary>Completed years of age on <paramref name="day"/>.</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        var age = day.Year - birthDate.Year;
        return birthDate.AddYears(age) > day ? age - 1 : age;
    }
}
