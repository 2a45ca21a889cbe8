using System.Globalization;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// One journal line about a citizen, as the access history keeps it: what a citizen's history shows, and the citizen only
/// as the journal's HMAC of the IIN.
/// </summary>
/// <param name="Instance">The gateway instance whose journal holds the line (its journal's identity in the index).</param>
/// <param name="Seq">The line's seq in that journal.</param>
/// <param name="Time">When the call was answered or refused (milliseconds, as journaled).</param>
/// <param name="Subject">The journal's <c>subject</c>: HMAC-SHA256 of the IIN under the journal's subject key, lowercase hex.</param>
/// <param name="ClientId">The client that called.</param>
/// <param name="OperatorId">The operator; empty when the call was refused for lacking one.</param>
/// <param name="Purpose">The purpose of access; empty when the call was refused for lacking one.</param>
/// <param name="Method">The front-desk method.</param>
/// <param name="Providers">The providers touched, each once, in the journal's order.</param>
/// <param name="ConsentId">The consent the call went under, or <c>null</c>.</param>
/// <param name="Result">The gRPC code name the desk received.</param>
/// <param name="Reason">Why the gateway refused the call, when the journal names it, or <c>null</c>.</param>
public sealed record IndexedAccess(
    string Instance,
    long Seq,
    DateTimeOffset Time,
    string Subject,
    string ClientId,
    string OperatorId,
    string Purpose,
    string Method,
    IReadOnlyList<string> Providers,
    string? ConsentId,
    string Result,
    string? Reason)
{
    /// <summary>The subject kind of the lines indexed: a citizen's IIN (a cadastral number is a parcel's, not a citizen's).</summary>
    public const string CitizenSubjectKind = "iin";

    /// <summary>What an operator id or a purpose holding an IIN is indexed as.</summary>
    public const string Withheld = "(withheld: an IIN)";

    /// <summary>
    /// An operator id or purpose as the index keeps it: as the desk sent it, unless it holds an IIN (twelve digits standing
    /// alone with a valid check digit: a desk may use staff members' IINs as their ids), which the index never holds in
    /// clear and a citizen's history never shows; the journal keeps the line as it was.
    /// </summary>
    public static string WithoutIin(string text)
    {
        var run = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                run++;
                continue;
            }

            if (run == 12 && Contracts.Identifiers.Iin.IsValid(text[(i - 12)..i]))
            {
                return Withheld;
            }

            run = 0;
        }

        return text;
    }

    /// <summary>Whether <paramref name="subject"/> has the form of the journal's HMAC: 64 lowercase hex digits.</summary>
    public static bool IsSubjectHash(string subject) =>
        subject.Length == 64 && subject.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>The providers as stored: ids joined by commas (an id holds none).</summary>
    public string ProviderList => string.Join(',', Providers);

    /// <summary>The providers of a stored list.</summary>
    public static IReadOnlyList<string> ProvidersOf(string stored) => stored.Length == 0 ? [] : stored.Split(',');

    /// <summary>Each provider once, in the order given.</summary>
    public static IReadOnlyList<string> Distinct(IEnumerable<string> providers)
    {
        var list = new List<string>(2);
        foreach (var provider in providers)
        {
            if (provider.Length > 0 && !list.Contains(provider))
            {
                list.Add(provider);
            }
        }

        return list;
    }
}

/// <summary>Where a page of one citizen's history ends: the last access's time, instance and seq (the listing's order, newest first).</summary>
/// <param name="TimeMs">Unix milliseconds.</param>
/// <param name="Instance">The instance whose journal holds it.</param>
/// <param name="Seq">The seq.</param>
public readonly record struct AccessCursor(long TimeMs, string Instance, long Seq)
{
    /// <summary>The cursor after <paramref name="access"/>.</summary>
    public static AccessCursor After(IndexedAccess access) => new(access.Time.ToUnixTimeMilliseconds(), access.Instance, access.Seq);

    /// <summary>The cursor as a page token carries it: <c>time:seq:instance</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TimeMs}:{Seq}:{Instance}");

    /// <summary>Reads <see cref="ToString"/>'s form; <c>null</c> for anything else.</summary>
    public static AccessCursor? Parse(string text)
    {
        var parts = text.Split(':', 3);
        return parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var time)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            && parts[2].Length > 0
            ? new AccessCursor(time, parts[2], seq)
            : null;
    }
}

/// <summary>How far the index holds one journal: the last line fed and its hash (which a rebuild checks against the journal).</summary>
/// <param name="Instance">The instance whose journal it is.</param>
/// <param name="Seq">The last seq fed (every line up to it is in the index, if it was about a citizen).</param>
/// <param name="Hash">That line's hash in the journal.</param>
public readonly record struct JournalPosition(string Instance, long Seq, string Hash);

/// <summary>One citizen's accesses in a time range, newest first.</summary>
/// <param name="Subject">The journal's HMAC of the citizen's IIN.</param>
/// <param name="FromMs">Start, inclusive (Unix milliseconds).</param>
/// <param name="ToMs">End, exclusive (Unix milliseconds).</param>
/// <param name="After">The end of the previous page, or <c>null</c> for the first.</param>
/// <param name="WithheldClients">Clients whose accesses are left out.</param>
/// <param name="Limit">At most this many.</param>
public sealed record AccessQuery(string Subject, long FromMs, long ToMs, AccessCursor? After, IReadOnlyCollection<string> WithheldClients, int Limit);
