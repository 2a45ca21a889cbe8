using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.FunctionalTests.Operations;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.Cluster;

/// <summary>The cluster's collection: its tests start a dozen processes each and run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Cluster";
}

/// <summary>
/// Three gateway instances behind nginx (tools/cluster/cluster.py): one client's limit held across all of them; a rolling
/// restart under a steady load without a failed call. The suite runs the short form; <c>PG_CLUSTER_STRICT=1</c> (what
/// tools/cluster/check.sh sets) the issue's: 20 s measured at 300 calls a second, each second within 10%; 60 s of 200
/// calls a second with rolling restarts throughout.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    /// <summary>The retry policy a desk uses with several instances (README "Running several instances").</summary>
    public static readonly ServiceConfig DeskRetryPolicy = new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = 5,
                    InitialBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromSeconds(1),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };

    private static readonly bool Strict = Environment.GetEnvironmentVariable("PG_CLUSTER_STRICT") == "1";

    [Fact]
    public async Task Three_instances_hold_a_client_of_50_calls_a_second_sending_300_to_50_not_150()
    {
        await using var cluster = await GatewayCluster.StartAsync("--instances", "3", "--limited-rate", "50", "--limited-burst", "50");
        using var channel = cluster.Channel();
        var desk = GatewayCluster.Desk(channel, cluster.LimitedOfficeKey);
        for (var i = 0; i < 3; i++)
        {
            await desk.ListProvidersAsync(new ListProvidersRequest());   // each instance's first call (nginx goes round the three)
        }

        // The burst is spent in the first second. The suite measures from the fifth: a Redis request that timed out on a
        // cold, busy instance puts that instance on its local share for Caching:RedisRetryAfter (by design, documented),
        // which admitted up to 69 a second for three seconds once in the whole suite's run.
        var warmUp = Strict ? 2 : 5;
        var measured = Strict ? 20 : 10;

        var calls = await SteadyLoad.RunAsync(300, _ => ("providers", desk.ListProvidersAsync(new ListProvidersRequest()).ResponseAsync), TimeSpan.FromSeconds(warmUp + measured));

        var seconds = Enumerable.Range(warmUp, measured)
            .Select(s => calls.Where(c => c.Started >= TimeSpan.FromSeconds(s) && c.Started < TimeSpan.FromSeconds(s + 1)).ToList())
            .Select(second => (Sent: second.Count, Admitted: second.Count(c => c.Status == StatusCode.OK)))
            .ToList();
        foreach (var management in cluster.ManagementAddresses)
        {
            var borrows = (await PrometheusScrape.FromAsync(management)).Series("providergateway_rate_limit_borrows_total");
            output.WriteLine($"{management.Authority}: Redis requests {string.Join(", ", borrows.Select(b => $"{b.Labels.GetValueOrDefault("outcome")} {b.Value}"))}");
        }

        output.WriteLine($"admitted a second after the burst: {string.Join(", ", seconds.Select(s => s.Admitted))} (sent {string.Join(", ", seconds.Select(s => s.Sent))}); average {seconds.Average(s => s.Admitted):0.0}");
        Assert.All(calls, c => Assert.Contains(c.Status, new[] { StatusCode.OK, StatusCode.ResourceExhausted }));
        Assert.InRange(seconds.Average(s => s.Sent), 270, 330);                // the load was what it claims
        Assert.InRange(seconds.Average(s => s.Admitted), 45, 55);              // 50 ± 10 %, not 150
        var (low, high) = Strict ? (45, 55) : (30, 75);
        Assert.All(seconds, s => Assert.InRange(s.Admitted, low, high));
    }

    [Fact]
    public async Task The_same_nginx_serves_the_console_JSON_streamed_JSON_and_gRPC_Web_of_every_instance()
    {
        await using var cluster = await GatewayCluster.StartAsync("--instances", "2");
        using var http = new HttpClient { BaseAddress = cluster.HttpAddress };
        var request = new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[0].Iin };

        var console = await http.GetAsync(new Uri("/desk/", UriKind.Relative));
        var overviews = new List<GetCitizenOverviewResponse>();
        for (var i = 0; i < 2; i++)
        {
            // Twice: nginx sends them to each instance in turn.
            overviews.Add(await http.CallAsync<GetCitizenOverviewResponse>(BrowserDesk.Post("/v1/citizens:overview", request, cluster.OfficeKey)));
        }

        using var stream = BrowserDesk.Post("/v1/citizens:streamOverview", request, cluster.OfficeKey);
        using var streamed = await http.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        var lines = (await streamed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var grpcWeb = BrowserDesk.GrpcWebChannel(cluster.HttpAddress, Grpc.Net.Client.Web.GrpcWebMode.GrpcWeb);
        var viaGrpcWeb = await GatewayCluster.Desk(grpcWeb, cluster.OfficeKey).GetCitizenOverviewAsync(request);

        Assert.Equal(HttpStatusCode.OK, console.StatusCode);
        Assert.Contains("<html", await console.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.All(overviews, o => Assert.NotEmpty(o.Results));
        Assert.True(lines.Length >= 3, $"the streamed overview came as {lines.Length} line(s)");   // started, a result per provider, finished
        Assert.Contains("\"started\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"finished\"", lines[^1], StringComparison.Ordinal);
        Assert.NotEmpty(viaGrpcWeb.Results);
    }

    [Fact]
    public async Task A_rolling_restart_under_a_steady_load_fails_no_call_and_every_journal_verifies_with_every_answer_in_it()
    {
        // Providers' deadlines of 10 s: on these 2 cores an instance starting (the JIT) beside two others, nginx, the providers,
        // Redis, PostgreSQL and this load made the demo providers' 2 s deadlines pass now and then; that is not what is tested.
        await using var cluster = await GatewayCluster.StartAsync("--instances", "3", "--provider-deadline", "00:00:10");
        var attempts = new AttemptCounter(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        using var channel = cluster.Channel(DeskRetryPolicy, attempts);
        var desk = GatewayCluster.Desk(channel, cluster.OfficeKey);
        var citizens = DemoData.Seed.Citizens;
        var accounts = DemoData.Seed.UtilityAccounts;
        var duration = Strict ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(5);
        const int warmUpCalls = 3;
        for (var i = 0; i < warmUpCalls; i++)
        {
            // Each kind of call once on each instance (nginx goes round the three) before the load: the first calls compile.
            await desk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizens[i].Iin });
            await desk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = accounts[i].Iin });
            await Balance(desk, accounts[i]);
            await desk.ListProvidersAsync(new ListProvidersRequest());
        }

        attempts.Reset();

        var restarts = Task.Run(async () =>
        {
            var log = new List<string>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2));   // the load steady first
            do
            {
                log.Add(await cluster.RollingRestartAsync());
            }
            while (clock.Elapsed < duration - TimeSpan.FromSeconds(15));

            return log;
        });
        var calls = await SteadyLoad.RunAsync(200, n => (n % 5) switch
        {
            0 or 1 => ("GetCitizenOverview", desk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizens[(int)(n % citizens.Count)].Iin }).ResponseAsync),
            2 => ("ListUtilityAccounts", desk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = accounts[(int)(n % accounts.Count)].Iin }).ResponseAsync),
            3 => ("GetUtilityAccountBalance", Balance(desk, accounts[(int)(n % accounts.Count)])),
            _ => ("ListProviders", desk.ListProvidersAsync(new ListProvidersRequest()).ResponseAsync),
        }, duration, restarts);
        var restartLog = await restarts;
        await cluster.StopAsync();
        var verified = await cluster.VerifyJournalsAsync();

        output.WriteLine(string.Join("", restartLog));
        output.WriteLine($"{calls.Count} calls in {calls[^1].Started.TotalSeconds:0.0} s; failed: {calls.Count(c => c.Status != StatusCode.OK)}; retried attempts: {attempts.Retries}; failed attempts: {attempts.Describe()}");
        output.WriteLine(verified.Output);
        foreach (var failed in calls.Where(c => c.Status != StatusCode.OK).Take(20))
        {
            output.WriteLine($"failed: {failed.Kind} at {failed.Started.TotalSeconds:0.00} s: {failed.Status} {failed.Detail}");
        }

        Assert.Empty(calls.Where(c => c.Status != StatusCode.OK).Select(c => $"{c.Kind} at {c.Started.TotalSeconds:0.00} s: {c.Status} {c.Detail}"));
        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.Equal(3 * restartLog.Count, restartLog.Sum(l => l.Split('\n').Count(line => line.Contains("exit 0", StringComparison.Ordinal))));

        // Every answered personal-data call is in a journal: as many OK lines of the office as OK answers, plus at most one
        // per retried attempt (a call answered whose answer was lost on the way, then asked again).
        var journaled = cluster.Journals.SelectMany(JournalFile.Entries)
            .Where(e => e.GetProperty("client").GetString() == "office" && e.GetProperty("result").GetString() == "OK")
            .GroupBy(e => e.GetProperty("method").GetString()!)
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var method in new[] { "GetCitizenOverview", "ListUtilityAccounts", "GetUtilityAccountBalance" })
        {
            var answered = warmUpCalls + calls.Count(c => c.Kind == method && c.Status == StatusCode.OK);
            var lines = journaled.GetValueOrDefault(method);
            output.WriteLine($"{method}: {answered} answered, {lines} journaled");
            Assert.InRange(lines, answered, answered + attempts.Retries);
        }
    }

    private static Task Balance(FrontDeskService.FrontDeskServiceClient desk, ProviderGateway.DemoProviders.DemoSeedUtilityAccount account) =>
        desk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, AccountNumber = account.AccountNumber, Iin = account.Iin }).ResponseAsync;

    /// <summary>Counts the attempts grpc-dotnet's retry policy made again, and how the failed attempts ended.</summary>
    private sealed class AttemptCounter(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly ConcurrentDictionary<string, int> _failures = new();
        private int _retries;

        public int Retries => Volatile.Read(ref _retries);

        public void Reset()
        {
            _failures.Clear();
            Volatile.Write(ref _retries, 0);
        }

        public string Describe() => _failures.IsEmpty ? "none" : string.Join(", ", _failures.Select(f => $"{f.Key} x{f.Value}"));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Contains("grpc-previous-rpc-attempts"))
            {
                Interlocked.Increment(ref _retries);
            }

            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                var failure = response.StatusCode != HttpStatusCode.OK ? $"HTTP {(int)response.StatusCode}"
                    : response.Headers.TryGetValues("grpc-status", out var status) && status.First() != "0" ? $"grpc-status {status.First()} (trailers only)"
                    : null;
                if (failure is not null)
                {
                    _failures.AddOrUpdate(failure, 1, (_, n) => n + 1);
                }

                return response;
            }
            catch (HttpRequestException e)
            {
                _failures.AddOrUpdate($"connection ({e.HttpRequestError})", 1, (_, n) => n + 1);
                throw;
            }
        }
    }
}
