using ProviderGateway.Bench;

// tools/bench/run.sh builds in Release and runs this: dotnet ProviderGateway.Bench.dll [--full] [--out DIR]
var settings = args.Contains("--full") ? BenchSettings.Full : BenchSettings.Quick;
var repositoryRoot = FindRepositoryRoot();
var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(repositoryRoot, "tools", "bench", "results", settings.Mode);
var work = Directory.CreateTempSubdirectory("pg-bench-").FullName;
try
{
    var report = await new CachingBenchmark(settings, repositoryRoot, work).RunAsync();
    Console.WriteLine();
    Console.WriteLine(await report.WriteAsync(output));
    Console.WriteLine($"Written to {output}/report.md and report.json");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository: no ProviderGateway.sln found above the program.");
}
