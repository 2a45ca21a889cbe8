using ProviderGateway.Bench;

// tools/bench/run.sh builds in Release and runs this:
//   dotnet ProviderGateway.Bench.dll [--full] [--out DIR] [--only hop|overview|stampede|mix|isolation|submissions]
//   dotnet ProviderGateway.Bench.dll --profile gateway-forward|l1-hit|redis-hit [--full]   (tools/bench/profile.sh)
var settings = args.Contains("--full") ? BenchSettings.Full : BenchSettings.Quick;
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var repositoryRoot = FindRepositoryRoot();
var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(repositoryRoot, "tools", "bench", "results", settings.Mode);
var work = Directory.CreateTempSubdirectory("pg-bench-").FullName;
try
{
    Directory.CreateDirectory(output);
    if (args.SkipWhile(a => a != "--profile").Skip(1).FirstOrDefault() is { } profiled)
    {
        Console.WriteLine(await new ProviderGateway.Bench.Profiling.ProfileRun(settings, repositoryRoot, work, output).RunAsync(profiled));
        return 0;
    }

    var markdown = "";
    var targets = ProviderGateway.Bench.Report.Targets.Load(repositoryRoot);
    if (only is null or "hop" or "caching")
    {
        var hop = await new HopBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += await hop.WriteAsync(output) + Environment.NewLine;
        targets.Hop(hop);
    }

    if (only is null or "overview")
    {
        var overview = await new OverviewBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += overview.ToMarkdown() + Environment.NewLine;
        targets.Overview(overview);
        await WriteJsonAsync("overview.json", overview);
    }

    if (only is null or "stampede")
    {
        var stampede = await new StampedeBenchmark(settings, repositoryRoot).RunAsync();
        markdown += stampede.ToMarkdown() + Environment.NewLine;
        await WriteJsonAsync("stampede.json", stampede);
    }

    if (only is null or "mix")
    {
        var mix = await new DeskMixBenchmark(settings, repositoryRoot).RunAsync();
        markdown += mix.ToMarkdown() + Environment.NewLine;
        await WriteJsonAsync("mix.json", mix);
    }

    if (only is null or "isolation")
    {
        var isolation = await new IsolationBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += IsolationBenchmark.ToMarkdown(isolation);
        await WriteJsonAsync("isolation.json", isolation);
    }

    if (only is null or "submissions")
    {
        // SQLite, and PostgreSQL when installed (/usr/lib/postgresql/15/bin): one result per store.
        var submissions = await new SubmissionBenchmark(settings, repositoryRoot, work).RunAsync();
        markdown += SubmissionBenchmark.ToMarkdown(submissions);
        await WriteJsonAsync("submissions.json", submissions);
    }

    markdown += targets.ToMarkdown(checkRegressions: settings.Mode == "full");
    await File.WriteAllTextAsync(Path.Combine(output, "report.md"), markdown);
    Console.WriteLine();
    Console.WriteLine(markdown);
    Console.WriteLine($"Written to {output}/: report.md (all of it), report.json (one hop), overview.json, stampede.json, mix.json, isolation.json, submissions.json");

    // A full run is the regression check of the hot path; quick mode (seconds per scenario, CI's smoke test) is too short.
    if (settings.Mode == "full" && targets.Regressions() is { Count: > 0 } regressions)
    {
        Console.Error.WriteLine("The hot path regressed (tools/bench/targets.json):");
        regressions.ToList().ForEach(r => Console.Error.WriteLine("  " + r));
        return 1;
    }

    return 0;

    Task WriteJsonAsync<T>(string name, T result) => File.WriteAllTextAsync(
        Path.Combine(output, name),
        System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
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
