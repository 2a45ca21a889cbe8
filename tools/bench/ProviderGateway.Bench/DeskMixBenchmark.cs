using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Bench;

/// <summary>One kind of call in the desk mix.</summary>
/// <param name="Requests">Calls completed in the measured window.</param>
/// <param name="Errors">Of them, not OK.</param>
/// <param name="Share">Their share of all calls.</param>
/// <param name="Latency">Latency of the successful ones.</param>
public sealed record DeskMixKind(long Requests, long Errors, double Share, Latencies Latency);

/// <summary>The failures of one status code.</summary>
/// <param name="Count">How many calls failed with it.</param>
/// <param name="First">The kind and message of the first.</param>
public sealed record DeskMixError(long Count, string First);

/// <summary>What the desk-mix benchmark measured.</summary>
/// <param name="Mode">quick or full.</param>
/// <param name="Workers">Closed-loop workers, each with one call in flight.</param>
/// <param name="Channels">gRPC channels (connections) the workers share.</param>
/// <param name="Seconds">Length of the measured window.</param>
/// <param name="Requests">Calls completed in it.</param>
/// <param name="Errors">Of them, not OK.</param>
/// <param name="ErrorsByStatus">Errors per status code.</param>
/// <param name="RequestsPerSecond">Completed calls per second.</param>
/// <param name="Latency">Latency of all successful calls.</param>
/// <param name="Kinds">Per kind: repeated-read, unique-read, write.</param>
/// <param name="GatewayCpuMicrosecondsPerRequest">Gateway CPU time per call.</param>
/// <param name="ProviderCpuMicrosecondsPerRequest">Provider CPU time per call (of all the gateway's calls, not only those that reached it).</param>
/// <param name="RedisCpuMicrosecondsPerRequest">Redis CPU time per call.</param>
/// <param name="LoadGeneratorCpuMicrosecondsPerRequest">This process's CPU time per call: the gRPC load generator shares the machine.</param>
/// <param name="GatewayPeakRssBytes">Gateway's peak resident memory.</param>
/// <param name="ProviderPeakRssBytes">Provider's peak resident memory.</param>
/// <param name="ProviderCalls">Calls the provider received in the window, per method: what the cache did not answer.</param>
public sealed record DeskMixResult(
    string Mode,
    int Workers,
    int Channels,
    double Seconds,
    long Requests,
    long Errors,
    IReadOnlyDictionary<string, DeskMixError> ErrorsByStatus,
    double RequestsPerSecond,
    Latencies Latency,
    IReadOnlyDictionary<string, DeskMixKind> Kinds,
    double GatewayCpuMicrosecondsPerRequest,
    double ProviderCpuMicrosecondsPerRequest,
    double RedisCpuMicrosecondsPerRequest,
    double LoadGeneratorCpuMicrosecondsPerRequest,
    long GatewayPeakRssBytes,
    long ProviderPeakRssBytes,
    IReadOnlyDictionary<string, long> ProviderCalls)
{
    /// <summary>The Markdown section of the report.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Desk mix ({Mode}): 80% repeated reads (a hot set of {DeskMixBenchmark.HotAccounts} accounts), 18% unique reads (cache-control: no-cache), 2% meter-reading writes; {Workers} closed-loop gRPC workers over {Channels} connections for {Seconds:0} s; gateway with memory cache and Redis.");
        text.AppendLine();
        text.AppendLine("| calls | requests | share | errors | p50 / p99 |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| all ({RequestsPerSecond:0} req/s) | {Requests:N0} | 100% | {Errors} | {Latency.P50Milliseconds:0.00} / {Latency.P99Milliseconds:0.00} ms |");
        foreach (var (name, kind) in Kinds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {kind.Requests:N0} | {kind.Share * 100:0.0}% | {kind.Errors} | {kind.Latency.P50Milliseconds:0.00} / {kind.Latency.P99Milliseconds:0.00} ms |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"CPU µs per request: gateway {GatewayCpuMicrosecondsPerRequest:0.0}, provider {ProviderCpuMicrosecondsPerRequest:0.0}, redis {RedisCpuMicrosecondsPerRequest:0.0}, load generator {LoadGeneratorCpuMicrosecondsPerRequest:0.0}. Peak RSS: gateway {GatewayPeakRssBytes / 1024.0 / 1024.0:0} MB, provider {ProviderPeakRssBytes / 1024.0 / 1024.0:0} MB.");
        text.AppendLine(CultureInfo.InvariantCulture, $"The provider received {string.Join(", ", ProviderCalls.Select(c => $"{c.Value:N0} {c.Key}"))} for {Requests:N0} desk calls.");
        foreach (var (status, error) in ErrorsByStatus)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {error.Count} x {status}, first: {error.First}");
        }

        return text.ToString();
    }
}

/// <summary>
/// A desk-like mix through the gateway (production configuration, memory cache and Redis) to one demo
/// provider: 80% repeated reads of a small hot set (cache hits), 18% unique reads asking for a fresh answer
/// (always a provider call), 2% meter-reading writes. h2load sends one request body only, so it cannot mix
/// requests: the load comes from a closed-loop generator on Grpc.Net.Client, each worker choosing per call.
/// </summary>
public sealed class DeskMixBenchmark(BenchSettings settings, string repositoryRoot)
{
    /// <summary>Accounts read over and over (the repeated reads).</summary>
    public const int HotAccounts = 5;

    private const string ProviderId = "alatau-power";
    private const int Workers = 64;
    private const int ChannelCount = 8;
    private const double MaxErrorRate = 0.001;
    private static readonly string[] KindNames = ["repeated-read", "unique-read", "write"];

    /// <summary>Starts the provider, Redis and the gateway, warms up, measures, and returns what it measured.</summary>
    /// <exception cref="InvalidOperationException">When more than 0.1% of the calls failed.</exception>
    public async Task<DeskMixResult> RunAsync()
    {
        var accounts = SeedAccounts.Of(repositoryRoot, ProviderId);
        var servers = new BenchServers(repositoryRoot);
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(ProviderId);
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (gateway, gatewayAddress, _) = await servers.StartGatewayAsync("gateway", ProviderId, providerAddress, redisConfiguration, memoryCache: true);
        await using var gatewayProcess = gateway;

        var channels = DeskClient.Channels(gatewayAddress, ChannelCount);
        try
        {
            var clients = channels.Select(c => new FrontDesk.FrontDeskService.FrontDeskServiceClient(c)).ToArray();
            var mix = new Mix(accounts, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1));

            Console.WriteLine($"warm-up desk mix ({settings.WarmUp.TotalSeconds:0} s)");
            Check("warm-up", await RunLoopAsync(clients, mix, settings.WarmUp));

            var duration = settings.Measure * settings.Rounds;
            var cpuBefore = (Gateway: gateway.CpuTime, Provider: provider.CpuTime, Redis: redis.CpuTime, Load: LoadGeneratorCpu());
            var callsBefore = await DemoCalls.PerMethodAsync(providerAddress);
            var window = await RunLoopAsync(clients, mix, duration);
            var cpu = (
                Gateway: gateway.CpuTime - cpuBefore.Gateway,
                Provider: provider.CpuTime - cpuBefore.Provider,
                Redis: redis.CpuTime - cpuBefore.Redis,
                Load: LoadGeneratorCpu() - cpuBefore.Load);
            var providerCalls = DemoCalls.Since(callsBefore, await DemoCalls.PerMethodAsync(providerAddress));

            var result = Summarise(window, duration, cpu, gateway.PeakRssBytes, provider.PeakRssBytes, providerCalls);
            Console.WriteLine($"desk mix: {result.RequestsPerSecond:0} req/s, p99 {result.Latency.P99Milliseconds:0.00} ms, {result.Errors} error(s), provider calls {string.Join(", ", providerCalls.Select(c => $"{c.Key} {c.Value}"))}");
            Check("measured", window);
            return result;
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    private static TimeSpan LoadGeneratorCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static void Check(string phase, Recorder recorder)
    {
        var requests = recorder.Requests;
        var errors = recorder.Errors;
        if (errors > MaxErrorRate * requests)
        {
            throw new InvalidOperationException(
                $"desk mix ({phase}): {errors} of {requests} calls failed: {string.Join("; ", recorder.ErrorsByStatus.Select(e => $"{e.Value.Count} x {e.Key}, first: {e.Value.First}"))}");
        }
    }

    private DeskMixResult Summarise(
        Recorder window,
        TimeSpan duration,
        (TimeSpan Gateway, TimeSpan Provider, TimeSpan Redis, TimeSpan Load) cpu,
        long gatewayRss,
        long providerRss,
        IReadOnlyDictionary<string, long> providerCalls)
    {
        var requests = Math.Max(1, window.Requests);
        var kinds = Enumerable.Range(0, KindNames.Length).ToDictionary(
            k => KindNames[k],
            k => new DeskMixKind(window.Count(k), window.ErrorCount(k), (double)window.Count(k) / requests, Latencies.FromTimestamps(window.LatenciesOf(k))));
        return new DeskMixResult(
            settings.Mode,
            Workers,
            ChannelCount,
            duration.TotalSeconds,
            window.Requests,
            window.Errors,
            window.ErrorsByStatus,
            window.Requests / window.Elapsed.TotalSeconds,
            Latencies.FromTimestamps(Enumerable.Range(0, KindNames.Length).SelectMany(window.LatenciesOf)),
            kinds,
            cpu.Gateway.TotalMicroseconds / requests,
            cpu.Provider.TotalMicroseconds / requests,
            cpu.Redis.TotalMicroseconds / requests,
            cpu.Load.TotalMicroseconds / requests,
            gatewayRss,
            providerRss,
            providerCalls);
    }

    // Every worker keeps one call in flight until the time is up (a closed loop).
    private static async Task<Recorder> RunLoopAsync(FrontDesk.FrontDeskService.FrontDeskServiceClient[] clients, Mix mix, TimeSpan duration)
    {
        var recorder = new Recorder(Workers);
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkerAsync(w, clients[w % clients.Length], mix, end, recorder))));
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        return recorder;
    }

    private static async Task WorkerAsync(int worker, FrontDesk.FrontDeskService.FrontDeskServiceClient client, Mix mix, long end, Recorder recorder)
    {
        var random = new Random(worker);
        while (Stopwatch.GetTimestamp() < end)
        {
            var roll = random.Next(100);
            var kind = roll < 80 ? 0 : roll < 98 ? 1 : 2;
            var started = Stopwatch.GetTimestamp();
            try
            {
                switch (kind)
                {
                    case 0:
                        await client.GetUtilityAccountBalanceAsync(Mix.Read(mix.Hot[random.Next(mix.Hot.Count)]), DeskClient.Options(fresh: false, TimeSpan.FromSeconds(10)));
                        break;
                    case 1:
                        await client.GetUtilityAccountBalanceAsync(Mix.Read(mix.All[random.Next(mix.All.Count)]), DeskClient.Options(fresh: true, TimeSpan.FromSeconds(10)));
                        break;
                    default:
                        started = await mix.WriteAsync(client, random);
                        break;
                }

                recorder.Success(worker, kind, Stopwatch.GetTimestamp() - started);
            }
            catch (RpcException e)
            {
                recorder.Failure(worker, kind, e);
            }
        }
    }

    // The accounts the desk works on, and the meters it writes readings for.
    private sealed class Mix
    {
        private readonly (SeedAccount Account, SeedMeter Meter, SemaphoreSlim Turn)[] _meters;
        private readonly long[] _nextValue;
        private readonly Google.Type.Date _readingDate;

        public Mix(IReadOnlyList<SeedAccount> accounts, DateOnly readingDate)
        {
            All = accounts;
            Hot = [.. accounts.Take(HotAccounts)];

            // Writes go to the other active accounts: a write invalidates its citizen's cached answers, and the
            // repeated reads are meant to show cache hits.
            _meters = [.. accounts.Skip(HotAccounts)
                .Where(a => a.State == "active")
                .SelectMany(a => a.Meters.Where(m => m.LastReadingDate is null || m.LastReadingDate <= readingDate).Select(m => (a, m, new SemaphoreSlim(1))))];
            if (_meters.Length == 0 || Hot.Count < HotAccounts)
            {
                throw new InvalidOperationException($"The seed of {ProviderId} has too few accounts or meters for the desk mix.");
            }

            _nextValue = [.. _meters.Select(m => m.Meter.LastReadingMilliUnits)];
            _readingDate = new Google.Type.Date { Year = readingDate.Year, Month = readingDate.Month, Day = readingDate.Day };
        }

        public IReadOnlyList<SeedAccount> All { get; }

        public IReadOnlyList<SeedAccount> Hot { get; }

        public static FrontDesk.GetUtilityAccountBalanceRequest Read(SeedAccount account) =>
            new() { ProviderId = ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

        // One write per meter at a time, each a little above the last, so that no reading arrives below an
        // earlier one. Returns the timestamp the call started at (after its turn came).
        public async Task<long> WriteAsync(FrontDesk.FrontDeskService.FrontDeskServiceClient client, Random random)
        {
            var index = random.Next(_meters.Length);
            var (account, meter, turn) = _meters[index];
            await turn.WaitAsync();
            try
            {
                _nextValue[index] += 1000 + random.Next(1000);
                var request = new FrontDesk.CreateMeterReadingRequest
                {
                    ProviderId = ProviderId,
                    RequestId = Guid.NewGuid().ToString(),
                    Iin = account.Iin,
                    AccountNumber = account.AccountNumber,
                    MeterId = meter.MeterId,
                    ValueMilliUnits = _nextValue[index],
                    ReadingDate = _readingDate,
                };
                var started = Stopwatch.GetTimestamp();
                await client.CreateMeterReadingAsync(request, DeskClient.Options(fresh: false, TimeSpan.FromSeconds(10)));
                return started;
            }
            finally
            {
                turn.Release();
            }
        }
    }

    // Per worker, per kind: latencies of successes (Stopwatch ticks) and failures; merged when read.
    private sealed class Recorder(int workers)
    {
        private readonly List<long>[,] _latencies = New<List<long>>(workers);
        private readonly long[,] _errors = new long[workers, KindNames.Length];
        private readonly ConcurrentDictionary<string, DeskMixError> _errorsByStatus = new();

        public TimeSpan Elapsed { get; set; }

        public long Requests => Enumerable.Range(0, KindNames.Length).Sum(Count);

        public long Errors => Enumerable.Range(0, KindNames.Length).Sum(ErrorCount);

        public IReadOnlyDictionary<string, DeskMixError> ErrorsByStatus => _errorsByStatus;

        public void Success(int worker, int kind, long elapsed) => _latencies[worker, kind].Add(elapsed);

        public void Failure(int worker, int kind, RpcException e)
        {
            _errors[worker, kind]++;
            _errorsByStatus.AddOrUpdate(
                e.StatusCode.ToString(),
                _ => new DeskMixError(1, $"{KindNames[kind]}: {e.Status.Detail}"),
                (_, error) => error with { Count = error.Count + 1 });
        }

        public long Count(int kind) => LatenciesOf(kind).LongCount() + ErrorCount(kind);

        public long ErrorCount(int kind) => Enumerable.Range(0, _errors.GetLength(0)).Sum(w => _errors[w, kind]);

        public IEnumerable<long> LatenciesOf(int kind) => Enumerable.Range(0, _latencies.GetLength(0)).SelectMany(w => _latencies[w, kind]);

        private static T[,] New<T>(int workers)
            where T : new()
        {
            var cells = new T[workers, KindNames.Length];
            for (var w = 0; w < workers; w++)
            {
                for (var k = 0; k < KindNames.Length; k++)
                {
                    cells[w, k] = new T();
                }
            }

            return cells;
        }
    }
}
