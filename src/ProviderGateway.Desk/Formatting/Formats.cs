using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Desk.Localization;
using DateMessage = Google.Type.Date;

namespace ProviderGateway.Desk.Formatting;

/// <summary>How the console writes money, dates, readings and ages, in the current language's conventions.</summary>
public static class Formats
{
    // What a google.protobuf.Timestamp may hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    /// <summary>Tenge from tiyn (100 tiyn to the tenge), grouped the way the language writes numbers: 12 345,67 ₸ in kk and ru.</summary>
    public static string Money(Money? money)
    {
        if (money is null)
        {
            return "—";
        }

        var culture = CultureInfo.CurrentCulture;
        var amount = (money.MinorUnits / 100m).ToString("N2", culture);
        return money.CurrencyCode is "KZT" or "" ? $"{amount}\u00a0₸" : $"{amount}\u00a0{money.CurrencyCode}";
    }

    /// <summary>A meter reading in units from thousandths of a unit.</summary>
    public static string Reading(long milliUnits) => (milliUnits / 1000m).ToString("N3", CultureInfo.CurrentCulture);

    /// <summary>A calendar date in the language's short form; a dash when unset.</summary>
    public static string Date(DateMessage? date)
    {
        // A provider's partial or impossible date (month or day 0) shows as a dash, not as a broken card.
        if (date is null || date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            return "—";
        }

        return new DateOnly(date.Year, date.Month, date.Day).ToString("d", CultureInfo.CurrentCulture);
    }

    /// <summary>A moment in the browser's time zone, in the language's short date and time; a dash when unset.</summary>
    public static string Moment(Timestamp? time) =>
        ToMoment(time) is { } moment ? moment.ToLocalTime().ToString("g", CultureInfo.CurrentCulture) : "—";

    /// <summary>A timestamp as a moment; <c>null</c> when unset or out of range (a provider's bad field).</summary>
    public static DateTimeOffset? ToMoment(Timestamp? time) =>
        time is null || time.Seconds is < MinSeconds or > MaxSeconds || time.Nanos is < 0 or > 999_999_999
            ? null
            : time.ToDateTimeOffset();

    /// <summary>How long ago <paramref name="time"/> was, in whole seconds, minutes, hours or days.</summary>
    public static string Age(Timestamp? time, DateTimeOffset now, DeskText text)
    {
        if (ToMoment(time) is not { } moment)
        {
            return "—";
        }

        var age = now - moment;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 90 ? text.Format("Age.Seconds", (int)age.TotalSeconds)
            : age.TotalMinutes < 90 ? text.Format("Age.Minutes", (int)age.TotalMinutes)
            : age.TotalHours < 36 ? text.Format("Age.Hours", (int)age.TotalHours)
            : text.Format("Age.Days", (int)age.TotalDays);
    }

    /// <summary>A duration (a retry delay) in whole seconds, rounded up.</summary>
    public static string Seconds(TimeSpan duration, DeskText text) => text.Format("Age.InSeconds", (int)Math.Ceiling(duration.TotalSeconds));

    /// <summary>A Date message from a date.</summary>
    public static DateMessage ToDate(DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };
}
