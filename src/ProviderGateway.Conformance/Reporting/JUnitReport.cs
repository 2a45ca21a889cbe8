using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Reporting;

/// <summary>
/// The report as JUnit XML, for CI systems: one test suite per run (<c>conformance.utilities</c>), one
/// test case per check, its class the check's category, a failure element with the reason.
/// </summary>
internal static class JUnitReport
{
    /// <summary>The report as a JUnit XML document.</summary>
    public static XDocument Build(ConformanceReport report)
    {
        var suiteName = "conformance." + ContractDomains.NameOf(report.Domain);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", report.Results.Count),
            new XAttribute("failures", report.Failures.Count()),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", Seconds(report.Duration)),
            new XAttribute("timestamp", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties",
                new XElement("property", new XAttribute("name", "target"), new XAttribute("value", report.Target.ToString()))));
        foreach (var result in report.Results)
        {
            var testCase = new XElement("testcase",
                new XAttribute("classname", $"{suiteName}.{result.Check.Category}"),
                new XAttribute("name", result.Check.Id),
                new XAttribute("time", Seconds(result.Duration)));
            if (!result.Passed)
            {
                testCase.Add(new XElement("failure",
                    new XAttribute("message", result.Message),
                    new XAttribute("type", "NotConformant"),
                    $"Expected: {result.Check.Description}\nGot: {result.Message}"));
            }

            suite.Add(testCase);
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
    }

    /// <summary>Writes the report to <paramref name="path"/>, creating its folder.</summary>
    public static void Write(ConformanceReport report, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = XmlWriter.Create(path, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true });
        Build(report).Save(writer);
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
