using System.Runtime.InteropServices;
using System.Xml.Linq;
using ProviderGateway.Conformance.Running;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.TestSupport.Processes;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>
/// The kit as a team without the .NET SDK gets it. The single file <c>tools/kit/publish.sh</c> makes runs where no .NET
/// is installed (<c>tools/kit/without-dotnet.sh</c>: a mount namespace of its own with an empty tmpfs over the .NET
/// install folder, no ICU, no variable of .NET's): it passes the demo providers and, against each broken variant, fails
/// exactly what the kit run in-process fails, which is every check of the categories the variant breaks. The .NET tool
/// package installs from a local source and its command runs.
/// </summary>
public sealed class KitWithoutDotnetTests(KitWithoutDotnetTests.PublishedKit kit, ITestOutputHelper output) : IClassFixture<KitWithoutDotnetTests.PublishedKit>
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Where_the_kit_runs_there_is_no_dotnet()
    {
        Assert.Equal(0, (await ScriptRunner.RunProgramAsync("dotnet", "--info")).ExitCode);
        var runtime = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "System.Private.CoreLib.dll");
        Assert.True(File.Exists(runtime), runtime);

        var info = await WithoutDotnetAsync(["dotnet", "--info"]);
        Assert.True(info.ExitCode != 0, $"dotnet --info ran without .NET:\n{info.Output}");
        var hidden = await WithoutDotnetAsync(["test", "-e", runtime]);
        Assert.True(hidden.ExitCode == 1, $"The tests' own runtime ({runtime}) is visible without .NET.");
        var environment = await WithoutDotnetAsync(["env"]);
        var names = environment.Output.Split('\n').Select(line => line.Split('=')[0]);
        Assert.DoesNotContain(names, name => name.Contains("DOTNET", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(ConformanceKitTests.Providers), MemberType = typeof(ConformanceKitTests))]
    public async Task The_single_file_passes_the_demo_provider(string domain, string providerId)
    {
        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = providerId });

        var run = await RunSingleFileAsync(domain, provider.Address);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("CONFORMANT", run.Output);
        Assert.Equal(ConformanceRunner.CheckIds(ContractDomains.Parse(domain)!.Value), run.Cases.Select(c => c.Id));
        Assert.DoesNotContain(run.Cases, c => c.Failed);
    }

    [Theory]
    [MemberData(nameof(ConformanceKitTests.Providers), MemberType = typeof(ConformanceKitTests))]
    public async Task Against_each_broken_variant_the_single_file_fails_exactly_its_checks(string domain, string providerId)
    {
        foreach (var breakage in Enum.GetValues<Breakage>())
        {
            await using var provider = await BrokenProvider.StartAsync(providerId, breakage);

            var run = await RunSingleFileAsync(domain, provider.Address);
            var inProcess = await ConformanceKitTests.RunKitAsync(domain, provider.Address);

            var failed = run.Cases.Where(c => c.Failed).Select(c => c.Id).ToList();
            output.WriteLine($"{breakage}: failed {string.Join(", ", failed)}");
            // A breakage of checks this contract does not have (the utilities' preconditions) breaks nothing here.
            var ofItsCategories = run.Cases.Where(c => BrokenProvider.EffectOf(breakage).Fails.Contains(c.Category)).ToList();
            Assert.True(run.ExitCode == (ofItsCategories.Count > 0 ? 1 : 0), $"{breakage}: exit code {run.ExitCode}\n{run.Output}");
            Assert.All(ofItsCategories, c => Assert.True(c.Failed, $"{breakage}: {c.Id} passed, but the provider breaks it."));
            Assert.Equal(inProcess.Failures.Select(f => f.Check.Id), failed);
        }
    }

    [Fact]
    public async Task The_tool_package_installs_from_a_local_source_and_its_command_runs()
    {
        var packages = Path.Combine(kit.Work, "nupkg");
        var pack = await ScriptRunner.RunProgramAsync("dotnet", "pack", "src/ProviderGateway.Conformance", "--configuration", Repository.Configuration,
            "--no-build", "--output", packages);
        Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);
        // This source alone: nothing comes from a remote registry.
        var config = Path.Combine(kit.Work, "nuget.config");
        await File.WriteAllTextAsync(config, new XDocument(new XElement("configuration", new XElement("packageSources",
            new XElement("clear"), new XElement("add", new XAttribute("key", "kit"), new XAttribute("value", packages))))).ToString());
        var tools = Path.Combine(kit.Work, "tools");

        var install = await ScriptRunner.RunProgramAsync("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "ProviderGateway.Conformance");
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        Assert.Contains("pg-conformance", install.Output);

        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "land-registry" });
        var run = await ScriptRunner.RunAsync(
            new ProcessCommand(Path.Combine(tools, "pg-conformance"), ["--target", provider.Address.Authority, "--domain", "land_registry", "--junit", Path.Combine(kit.Work, "tool.xml")]),
            RunDeadline);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("CONFORMANT", run.Output);
    }

    /// <summary>Runs the published single file without .NET against <paramref name="target"/>; returns what it printed and its JUnit test cases.</summary>
    private async Task<KitRun> RunSingleFileAsync(string domain, Uri target)
    {
        var junit = Path.Combine(kit.Work, $"{domain}-{Guid.NewGuid():N}.xml");
        var result = await WithoutDotnetAsync([kit.SingleFile, "--target", target.Authority, "--domain", domain, "--junit", junit]);
        var cases = File.Exists(junit)
            ? XDocument.Load(junit).Descendants("testcase").Select(c => new KitCase(
                c.Attribute("name")!.Value,
                c.Attribute("classname")!.Value.Split('.')[^1],
                c.Element("failure") is not null)).ToList()
            : [];
        return new KitRun(result.ExitCode, result.Output + result.Error, cases);
    }

    private Task<ScriptResult> WithoutDotnetAsync(string[] command) =>
        ScriptRunner.RunAsync(new ProcessCommand("bash", [Path.Combine(Repository.KitTools, "without-dotnet.sh"), .. command]) { WorkingDirectory = kit.Work }, RunDeadline);

    private sealed record KitRun(int ExitCode, string Output, IReadOnlyList<KitCase> Cases);

    /// <summary>One test case of the kit's JUnit report: the check, its category and whether it failed.</summary>
    private sealed record KitCase(string Id, string Category, bool Failed);

    /// <summary>The kit published once for the class by <c>tools/kit/publish.sh linux-x64</c> (incremental when published before), and a scratch folder.</summary>
    public sealed class PublishedKit : IAsyncLifetime
    {
        private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("pg-kit-");

        /// <summary>The self-contained single file.</summary>
        public string SingleFile { get; } = Path.Combine(Repository.Root, "artifacts", "kit", "linux-x64", "pg-conformance");

        /// <summary>A scratch folder, deleted after the class.</summary>
        public string Work => _work.FullName;

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            // Fresh from a clean clone it takes about half a minute (the runtime pack comes from NuGet the first time).
            var publish = await ScriptRunner.RunAsync(
                new ProcessCommand("bash", [Path.Combine(Repository.KitTools, "publish.sh"), "linux-x64"]) { WorkingDirectory = Repository.Root },
                TimeSpan.FromMinutes(5));
            if (publish.ExitCode != 0 || !File.Exists(SingleFile))
            {
                throw new InvalidOperationException($"tools/kit/publish.sh linux-x64 failed ({publish.ExitCode}):\n{publish.Output}\n{publish.Error}");
            }
        }

        /// <inheritdoc />
        public Task DisposeAsync()
        {
            _work.Delete(recursive: true);
            return Task.CompletedTask;
        }
    }
}
