namespace ProviderGateway.DemoProviders;

/// <summary>
/// A seed file that cannot be used: unreadable, malformed JSON, or data that breaks a seed rule.
/// <see cref="Problems"/> lists every problem found, each naming the JSON path of the offending item.
/// </summary>
public sealed class DemoSeedException : Exception
{
    private const int ProblemsInMessage = 20;

    /// <summary>Creates the exception for a seed read from <paramref name="source"/>.</summary>
    public DemoSeedException(string source, IReadOnlyList<string> problems, Exception? innerException = null)
        : base(Describe(source, problems), innerException)
    {
        SeedSource = source;
        Problems = problems;
    }

    /// <summary>Where the seed came from (a file path, usually).</summary>
    public string SeedSource { get; }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(string source, IReadOnlyList<string> problems)
    {
        var shown = problems.Take(ProblemsInMessage).Select(p => "  - " + p);
        var more = problems.Count > ProblemsInMessage ? $"{Environment.NewLine}  ... and {problems.Count - ProblemsInMessage} more." : "";
        return $"The demo seed '{source}' is invalid ({problems.Count} problem(s)):{Environment.NewLine}{string.Join(Environment.NewLine, shown)}{more}";
    }
}
