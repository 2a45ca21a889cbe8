using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using ProviderGateway.Hosting;

namespace ProviderGateway.Tests.Architecture;

/// <summary>
/// The folders of the gateway point one way: down the layers the README's architecture section draws. Read from the
/// compiled gateway (NetArchTest: every type, member, signature and method body), so a dependency is seen however it
/// is written.
/// </summary>
public sealed partial class ArchitectureTests
{
    private const string Root = "ProviderGateway";
    private static readonly Assembly Gateway = typeof(GatewayApplication).Assembly;
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> Graph = new(BuildGraph);

    [Fact]
    public void No_folder_is_in_a_cycle()
    {
        Assert.Empty(FolderGraph.Cycles(Graph.Value).Select(c => string.Join(" <-> ", c)));
    }

    [Fact]
    public void Every_arrow_points_down_the_READMEs_layers()
    {
        var layers = FolderGraph.LayersOf(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));

        Assert.Empty(FolderGraph.ArrowsNotDown(Graph.Value, layers));
    }

    [Fact]
    public void The_READMEs_layers_name_every_folder_once_and_nothing_else()
    {
        var layers = FolderGraph.LayersOf(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        var drawn = layers.SelectMany(l => l).ToList();

        Assert.Equal(drawn.Count, drawn.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Folders().Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_file_is_in_the_namespace_of_its_folder()
    {
        var source = Path.Combine(RepositoryRoot(), "src", Root);
        var misplaced = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var folder = Path.GetRelativePath(source, Path.GetDirectoryName(file)!).Replace(Path.DirectorySeparatorChar, '.');
            var expected = folder == "." ? Root : $"{Root}.{folder}";
            var declared = NamespaceLine().Match(File.ReadAllText(file));
            if (declared.Success && declared.Groups[1].Value != expected)
            {
                misplaced.Add($"{Path.GetRelativePath(source, file)}: namespace {declared.Groups[1].Value}, folder {expected}");
            }
        }

        Assert.Empty(misplaced);
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        // A fixture: the loop the folders once had (Configuration -> Security -> Errors -> Telemetry -> Security …).
        var arrows = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Configuration"] = new HashSet<string> { "Security" },
            ["Security"] = new HashSet<string> { "Errors", "Configuration" },
            ["Errors"] = new HashSet<string> { "Telemetry" },
            ["Telemetry"] = new HashSet<string> { "Errors" },
            ["Hosting"] = new HashSet<string> { "Security" },
        };

        var cycles = FolderGraph.Cycles(arrows);

        Assert.Equal(2, cycles.Count);
        Assert.Contains(cycles, c => c.SequenceEqual(["Configuration", "Security"]));
        Assert.Contains(cycles, c => c.SequenceEqual(["Errors", "Telemetry"]));
    }

    [Fact]
    public void An_arrow_up_or_across_a_layer_is_named()
    {
        var layers = FolderGraph.LayersOf("""
            <!-- layers: top first -->
            ```
            Hosting/              # wires it all
            Security/ Errors/
            Core/
            ```
            """.Replace("\r", "", StringComparison.Ordinal));
        var arrows = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Hosting"] = new HashSet<string> { "Security", "Core" },
            ["Security"] = new HashSet<string> { "Errors", "Core" },
            ["Core"] = new HashSet<string> { "Hosting" },
            ["Paging"] = new HashSet<string> { "Core" },
        };

        Assert.Equal(
            ["Core -> Hosting (points up)", "Paging is in no layer of the README's diagram", "Security -> Errors (same layer)"],
            FolderGraph.ArrowsNotDown(arrows, layers));
    }

    [Fact]
    public void The_graph_sees_dependencies_in_method_bodies()
    {
        // Hosting uses nearly every folder; Core uses none of them.
        Assert.Contains("Security", Graph.Value["Hosting"]);
        Assert.Contains("Pipeline", Graph.Value["Hosting"]);
        Assert.Empty(Graph.Value["Core"]);
    }

    private static IReadOnlyList<string> Folders() =>
        [.. Gateway.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(n => n.Split('.')[1])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private static Dictionary<string, IReadOnlySet<string>> BuildGraph()
    {
        var folders = Folders();
        var graph = folders.ToDictionary(f => f, _ => (IReadOnlySet<string>)new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var from in folders)
        {
            var uses = (HashSet<string>)graph[from];
            foreach (var to in folders.Where(t => t != from))
            {
                var result = Types.InAssembly(Gateway)
                    .That().ResideInNamespace($"{Root}.{from}")
                    .ShouldNot().HaveDependencyOn($"{Root}.{to}")
                    .GetResult();
                if (!result.IsSuccessful)
                {
                    uses.Add(to);
                }
            }
        }

        return graph;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No ProviderGateway.sln above the test's folder.");
    }

    [GeneratedRegex(@"^namespace ([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
