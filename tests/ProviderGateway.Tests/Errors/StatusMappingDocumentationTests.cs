using System.Text.RegularExpressions;
using Grpc.Core;
using ProviderGateway.Errors;

namespace ProviderGateway.Tests.Errors;

public sealed partial class StatusMappingDocumentationTests
{
    [Fact]
    public void The_README_status_mapping_table_matches_the_code()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        foreach (var rule in ProviderStatusMapping.Table)
        {
            var row = $"| {Name(rule.ProviderCode)} | {Name(rule.DeskCode)} | {rule.Reason} | {(rule.PassesProviderMessage ? "yes" : "no")} |";
            Assert.Contains(row, readme, StringComparison.Ordinal);
        }
    }

    // StatusCode.InvalidArgument is INVALID_ARGUMENT in the gRPC specification and the README.
    private static string Name(StatusCode code) => UpperSnake().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No ProviderGateway.sln above the test assembly.");
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();
}
