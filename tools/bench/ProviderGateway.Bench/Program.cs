using ProviderGateway.Bench;

// tools/bench/run.sh builds in Release and runs this:
//   dotnet ProviderGateway.Bench.dll [--full] [--out DIR] [--only caching|isolation]
var settings = args.Contains("--full") ? BenchSettings.Full : BenchSettings.Quick;
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var repositoryRoot = FindRepositoryRoot();
var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(repositoryRoot, "tools", "bench", "results", settings.Mode);
var work = Directory.CreateTempSubdirectory("pg-bench-").FullName;
try
{
    Directory.CreateDirectory(output);
    var markdown = "";
    if (only is null or "caching")
    {
        var caching = await new CachingBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += await caching.WriteAsync(output) + Environment.NewLine;
    }

    if (only is null or "isolation")
    {
        var isolation = await new IsolationBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += IsolationBenchmark.ToMarkdown(isolation);
        await File.WriteAllTextAsync(
            Path.Combine(output, "isolation.json"),
            System.Text.Json.JsonSerializer.Serialize(isolation, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    await File.WriteAllTextAsync(Path.Combine(output, "report.md"), markdown);
    Console.WriteLine();
    Console.WriteLine(markdown);
    Console.WriteLine($"Written to {output}/report.md, report.json and isolation.json");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
    // The gateways' access journals (a line per call: gigabytes in a full run).
    var journals = Path.Combine(Path.GetTempPath(), "providergateway-bench");
    if (Directory.Exists(journals))
    {
        Directory.Delete(journals, recursive: true);
    }
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
