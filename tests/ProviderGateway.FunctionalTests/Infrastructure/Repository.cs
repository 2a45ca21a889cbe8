namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>Paths in the repository the tests use: protos, scripts, the seed, tools.</summary>
public static class Repository
{
    /// <summary>The repository root (where ProviderGateway.sln is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The contracts.</summary>
    public static string Protos => Path.Combine(Root, "protos");

    /// <summary>The grpcurl scripts.</summary>
    public static string GrpcurlScripts => Path.Combine(Root, "tools", "grpcurl");

    /// <summary>The conformance kit's publishing scripts (publish.sh, without-dotnet.sh).</summary>
    public static string KitTools => Path.Combine(Root, "tools", "kit");

    /// <summary>The demo seed file.</summary>
    public static string Seed => Path.Combine(Root, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json");

    /// <summary>The build configuration the tests were built in (Debug or Release).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>buf, installed from npm by tools/setup.sh.</summary>
    public static string Buf
    {
        get
        {
            var buf = Path.Combine(Root, "node_modules", ".bin", "buf");
            return File.Exists(buf)
                ? buf
                : throw new InvalidOperationException($"buf is not installed at {buf}: run tools/setup.sh (or 'npm ci') in {Root}.");
        }
    }

    /// <summary>The built standalone demo provider program.</summary>
    public static string StandaloneDemoProvider
    {
        get
        {
            var dll = Path.Combine(Root, "src", "ProviderGateway.DemoProviders.Standalone", "bin", Configuration, "net10.0", "ProviderGateway.DemoProviders.Standalone.dll");
            return File.Exists(dll)
                ? dll
                : throw new InvalidOperationException($"The standalone demo provider is not built at {dll}: build the solution in {Configuration}.");
        }
    }

    /// <summary>The built conformance kit program.</summary>
    public static string ConformanceKit => Built("ProviderGateway.Conformance");

    /// <summary>The Node.js land registry provider the tests run (written from the protos alone).</summary>
    public static string NodeLandRegistryProvider => Path.Combine(Root, "tests", "ProviderGateway.FunctionalTests", "NodeProvider", "land-registry-provider.js");

    /// <summary>The provider guide's Python recipe: generate.sh and utilities_provider.py.</summary>
    public static string PythonRecipe => Path.Combine(Root, "docs", "recipes", "python");

    private static string Built(string project)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{project} is not built at {dll}: build the solution in {Configuration}.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ProviderGateway.sln above {AppContext.BaseDirectory}.");
    }
}
