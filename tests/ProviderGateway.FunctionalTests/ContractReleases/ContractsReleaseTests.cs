using System.IO.Compression;
using System.Xml.Linq;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.ContractReleases;

/// <summary>
/// What provider teams rely on: the contracts package carries the stubs and the .proto files at the one
/// version of Directory.Build.props, and the breaking-change guard CI runs (tools/contracts/check-breaking.sh)
/// rejects a change that would break released contracts unless it comes as a new major version.
/// </summary>
public sealed class ContractsReleaseTests : IDisposable
{
    private static readonly string Guard = Path.Combine(Repository.Root, "tools", "contracts", "check-breaking.sh");
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("pg-contracts-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task The_guard_accepts_the_contracts_as_they_are()
    {
        var result = await ScriptRunner.RunProgramAsync("bash", Guard);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("no breaking change against the released contracts", result.Output);
    }

    [Fact]
    public async Task The_guard_rejects_a_deleted_field_unless_the_major_version_is_raised()
    {
        var protos = CopyProtos();
        Edit(protos, "utilities/v1/utilities.proto", "  string provider_name = 3;\n", "");

        var rejected = await ScriptRunner.RunProgramAsync("bash", Guard, "--protos", protos, "--version", "1.1.0");
        Assert.True(rejected.ExitCode == 1, rejected.Output + rejected.Error);
        Assert.Contains("Previously present field \"3\" with name \"provider_name\" on message \"Account\" was deleted", rejected.Error);
        Assert.Contains("BREAKING CHANGE against the released contracts 1.0.0", rejected.Error);
        Assert.Contains("set ContractsVersion in Directory.Build.props to 2.0.0", rejected.Error);

        var newMajor = await ScriptRunner.RunProgramAsync("bash", Guard, "--protos", protos, "--version", "2.0.0");
        Assert.True(newMajor.ExitCode == 0, newMajor.Output + newMajor.Error);
        Assert.Contains("version 2.0.0 is a new major version", newMajor.Output);
    }

    [Fact]
    public async Task The_guard_rejects_a_changed_field_type_and_a_renamed_method()
    {
        var protos = CopyProtos();
        Edit(protos, "landregistry/v1/land_registry.proto", "  int64 area_square_metres = 2;", "  int32 area_square_metres = 2;");
        Edit(protos, "socialservices/v1/social_services.proto", "rpc CheckEligibility(", "rpc CheckBenefitEligibility(");

        var result = await ScriptRunner.RunProgramAsync("bash", Guard, "--protos", protos);

        Assert.True(result.ExitCode == 1, result.Output + result.Error);
        Assert.Contains("area_square_metres", result.Error);
        Assert.Contains("CheckEligibility", result.Error);
    }

    [Fact]
    public async Task The_guard_accepts_a_compatible_addition()
    {
        var protos = CopyProtos();
        Edit(protos, "utilities/v1/utilities.proto", "  string provider_name = 3;\n",
            "  string provider_name = 3;\n  // Provider's customer service phone number, for display. Optional.\n  string support_phone = 8;\n");

        var result = await ScriptRunner.RunProgramAsync("bash", Guard, "--protos", protos);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Fact]
    public async Task The_contracts_package_carries_the_stubs_and_the_protos_at_the_contracts_version()
    {
        var version = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props")).Descendants("ContractsVersion").Single().Value;

        var pack = await ScriptRunner.RunProgramAsync("dotnet", "pack", "src/ProviderGateway.Contracts", "--configuration", Repository.Configuration,
            "--no-build", "--output", _work.FullName, "-p:ContinuousIntegrationBuild=true");
        Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);

        var package = Path.Combine(_work.FullName, $"ProviderGateway.Contracts.{version}.nupkg");
        Assert.True(File.Exists(package), $"dotnet pack made {string.Join(", ", _work.GetFiles().Select(f => f.Name))}, not {Path.GetFileName(package)}.");
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/ProviderGateway.Contracts.dll", entries);
        Assert.Contains("lib/net10.0/ProviderGateway.Contracts.xml", entries);
        foreach (var proto in Directory.GetFiles(Repository.Protos, "*.proto", SearchOption.AllDirectories))
        {
            Assert.Contains("protos/" + Path.GetRelativePath(Repository.Protos, proto).Replace('\\', '/'), entries);
        }

        Assert.Contains("protos/buf.yaml", entries);
        Assert.Contains("README.md", entries);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
        Assert.Contains("Google.Protobuf", dependencies);
        Assert.Contains("Grpc.Core.Api", dependencies);
        Assert.DoesNotContain("Grpc.Tools", dependencies);
    }

    private string CopyProtos()
    {
        var copy = Path.Combine(_work.FullName, "protos");
        foreach (var file in Directory.GetFiles(Repository.Protos, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Repository.Protos, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static void Edit(string protos, string file, string find, string replaceWith)
    {
        var path = Path.Combine(protos, "providergateway", file);
        var text = File.ReadAllText(path);
        Assert.Contains(find, text);
        File.WriteAllText(path, text.Replace(find, replaceWith, StringComparison.Ordinal));
    }
}
