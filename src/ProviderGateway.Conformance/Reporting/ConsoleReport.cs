using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Reporting;

/// <summary>The human-readable report: a header, one line per check as it completes (failures with their reason), and a summary.</summary>
internal sealed class ConsoleReport(TextWriter output)
{
    /// <summary>Writes what is about to be checked.</summary>
    public void Header(KitOptions options)
    {
        output.WriteLine($"ProviderGateway conformance kit {typeof(ConsoleReport).Assembly.GetName().Version?.ToString(3)}: {ContractDomains.NameOf(options.Domain)} contract at {options.Target}");
        output.WriteLine($"test citizen: IIN ending ...{options.CitizenIin[^4..]}");
        output.WriteLine();
    }

    /// <summary>Writes one check's result.</summary>
    public void Result(CheckResult result)
    {
        var verdict = result.Passed ? "PASS" : "FAIL";
        output.WriteLine($"  {verdict}  {result.Check.Id,-46} {result.Duration.TotalMilliseconds,7:0} ms");
        if (!result.Passed)
        {
            output.WriteLine($"        expected: {result.Check.Description}");
            output.WriteLine($"        got:      {result.Message}");
        }
    }

    /// <summary>Writes the totals, and the failed checks again so that they are seen at the end of a long log.</summary>
    public void Summary(ConformanceReport report, string? junitPath)
    {
        var failed = report.Failures.ToList();
        output.WriteLine();
        output.WriteLine($"{report.Results.Count} checks: {report.Results.Count - failed.Count} passed, {failed.Count} failed ({report.Duration.TotalSeconds:0.0} s).");
        if (failed.Count > 0)
        {
            output.WriteLine("Failed: " + string.Join(", ", failed.Select(f => f.Check.Id)));
        }

        if (junitPath is not null)
        {
            output.WriteLine($"JUnit XML: {junitPath}");
        }

        output.WriteLine(report.Passed
            ? "CONFORMANT: the provider meets every checked rule of the contract."
            : "NOT CONFORMANT: fix the failures above (the contract's rules are in the comments of its .proto file).");
    }
}
