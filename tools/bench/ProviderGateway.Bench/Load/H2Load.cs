using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ProviderGateway.Bench.Processes;

namespace ProviderGateway.Bench.Load;

/// <summary>What one h2load run measured.</summary>
/// <param name="Requests">Requests completed in the measured window.</param>
/// <param name="Succeeded">Of them, HTTP 2xx.</param>
/// <param name="RequestsPerSecond">Throughput over the window.</param>
/// <param name="P50">Median latency.</param>
/// <param name="P99">99th percentile latency.</param>
/// <param name="LoadGeneratorCpu">CPU time h2load itself used.</param>
public sealed record LoadResult(long Requests, long Succeeded, double RequestsPerSecond, TimeSpan P50, TimeSpan P99, TimeSpan LoadGeneratorCpu)
{
    /// <summary>Throws unless every request h2load completed got an HTTP 2xx (gRPC statuses: <see cref="AnsweredCalls"/>).</summary>
    public void RequireAllSucceeded(string scenario)
    {
        if (Succeeded != Requests)
        {
            throw new InvalidOperationException($"{scenario}: {Requests - Succeeded} of {Requests} requests did not succeed.");
        }
    }
}

/// <summary>
/// h2load (Debian's nghttp2-client) driving one unary gRPC method: the request as a gRPC frame, the
/// gRPC headers, a fixed number of connections and streams, for a fixed time. It counts HTTP statuses
/// only: gRPC statuses are checked apart (see <see cref="GrpcCheck"/>).
/// </summary>
public static partial class H2Load
{
    /// <summary>Runs h2load for <paramref name="duration"/>, as fast as it can.</summary>
    public static Task<LoadResult> RunAsync(Uri target, byte[] grpcFrame, int connections, int streams, TimeSpan duration, string workDirectory) =>
        RunAsync(target, grpcFrame, connections, streams, duration, workDirectory, requestsPerSecondPerConnection: null, headers: []);

    /// <summary>Runs h2load for <paramref name="duration"/>, at a fixed rate per connection when given, with extra headers.</summary>
    public static async Task<LoadResult> RunAsync(
        Uri target,
        byte[] grpcFrame,
        int connections,
        int streams,
        TimeSpan duration,
        string workDirectory,
        int? requestsPerSecondPerConnection,
        IReadOnlyList<string> headers)
    {
        var body = Path.Combine(workDirectory, $"body-{Guid.NewGuid():N}.bin");
        var log = Path.Combine(workDirectory, $"h2load-{Guid.NewGuid():N}.log");
        await File.WriteAllBytesAsync(body, grpcFrame);
        var start = new ProcessStartInfo("h2load")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-m", streams.ToString(CultureInfo.InvariantCulture),
            "-D", ((int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            "-d", body,
            "-H", "content-type: application/grpc",
            "-H", "te: trailers",
            "-H", BenchClient.Headers[0],
            "-H", BenchClient.Headers[1],
            "-H", BenchClient.Headers[2],
            "--log-file", log,
            target.ToString()])
        {
            start.ArgumentList.Add(argument);
        }

        if (requestsPerSecondPerConnection is { } rate)
        {
            start.ArgumentList.Add($"--rps={rate.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var header in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("h2load did not start (apt-get install nghttp2-client).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var cpu = TimeSpan.Zero;
        while (!process.HasExited)
        {
            // h2load's CPU can only be read while it runs: the last reading before it exits is kept.
            cpu = MeteredProcess.ReadCpuTime(process.Id) ?? cpu;
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(100));
        }

        var text = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"h2load failed ({process.ExitCode}): {text}\n{await error}");
        }

        var latencies = ReadLatencies(log);
        File.Delete(body);
        File.Delete(log);
        var requests = Field(RequestsLine(), text, "done");
        var succeeded = Field(RequestsLine(), text, "succeeded");
        var rps = double.Parse(ThroughputLine().Match(text).Groups["rps"].Value, CultureInfo.InvariantCulture);
        return new LoadResult(requests, succeeded, rps, Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpu);
    }

    private static long Field(Regex line, string text, string name) =>
        long.Parse(line.Match(text).Groups[name].Value, CultureInfo.InvariantCulture);

    // Each log line: start time (µs since the epoch), HTTP status, latency (µs).
    private static List<long> ReadLatencies(string log) =>
        [.. File.ReadLines(log)
            .Select(l => l.Split('\t', ' '))
            .Where(f => f.Length >= 3)
            .Select(f => long.Parse(f[2], CultureInfo.InvariantCulture))
            .Order()];

    private static TimeSpan Percentile(List<long> sortedMicroseconds, double quantile) =>
        sortedMicroseconds.Count == 0
            ? TimeSpan.Zero
            : TimeSpan.FromMicroseconds(sortedMicroseconds[(int)Math.Min(sortedMicroseconds.Count - 1, Math.Floor(quantile * sortedMicroseconds.Count))]);

    [GeneratedRegex(@"requests: \d+ total, \d+ started, (?<done>\d+) done, (?<succeeded>\d+) succeeded")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"finished in [\d.]+\w+, (?<rps>[\d.]+) req/s")]
    private static partial Regex ThroughputLine();
}
