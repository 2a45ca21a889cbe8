using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Chaos.Load;

/// <summary>
/// The desk: N workers, each calling the gateways in turn (A, B, A, …) with a front office's mix: citizen overviews,
/// account listings, balances, a few meter-reading writes with fresh request_ids, some reads with
/// <c>cache-control: no-cache</c>. Every call carries the desk's deadline as <c>grpc-timeout</c> (added by the
/// channel's handler, the client itself setting no deadline) while the desk waits longer, so a late answer is seen late.
/// </summary>
public sealed class DeskLoad : IAsyncDisposable
{
    private readonly DemoSeed _seed;
    private readonly string _apiKey;
    private readonly TimeSpan _deskDeadline;
    private readonly TimeSpan _deskWait;
    private readonly (string Name, GrpcChannel Channel, FrontDeskService.FrontDeskServiceClient Client)[] _gateways;
    private readonly IReadOnlyList<DemoSeedUtilityAccount> _accounts;
    private readonly IReadOnlyList<MeterSlot> _meters;
    private readonly IReadOnlyList<int> _hotCitizens;
    private readonly List<CallRecord> _calls = [];
    private readonly Stopwatch _clock = new();

    /// <summary>Creates the desk.</summary>
    /// <param name="seed">The seed citizens and accounts are drawn from.</param>
    /// <param name="gateways">The gateways by name, with their gRPC addresses.</param>
    /// <param name="apiKey">The desk client's API key.</param>
    /// <param name="deskDeadline">The deadline sent as grpc-timeout.</param>
    /// <param name="deskWait">How long the desk itself waits (longer than the deadline).</param>
    /// <param name="writeMeters">The meters writes go to (each written by one worker at a time, with increasing values).</param>
    /// <param name="hotCitizens">Seed indexes of the citizens asked about most (several desks at once).</param>
    public DeskLoad(
        DemoSeed seed, IReadOnlyList<(string Name, Uri Address)> gateways, string apiKey, TimeSpan deskDeadline, TimeSpan deskWait, IReadOnlyList<MeterSlot> writeMeters, IReadOnlyList<int> hotCitizens)
    {
        _hotCitizens = hotCitizens;
        Connections = new DeskConnections(() => Now);
        _seed = seed;
        _apiKey = apiKey;
        _deskDeadline = deskDeadline;
        _deskWait = deskWait;
        _accounts = seed.UtilityAccounts;
        _meters = writeMeters;
        _gateways = [.. gateways.Select(g =>
        {
            var channel = GrpcChannel.ForAddress(g.Address, new GrpcChannelOptions
            {
                HttpHandler = new DeskDeadlineHandler(deskDeadline)
                {
                    InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, ConnectTimeout = TimeSpan.FromSeconds(2), ConnectCallback = Connections.CallbackFor(g.Name) },
                },
                MaxRetryAttempts = 0,
            });
            return (g.Name, channel, new FrontDeskService.FrontDeskServiceClient(channel));
        })];
    }

    /// <summary>The desk's connections to the gateways.</summary>
    public DeskConnections Connections { get; }

    /// <summary>Time since the load started (the run's clock).</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Every call recorded so far.</summary>
    public IReadOnlyList<CallRecord> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Starts the clock.</summary>
    public void StartClock() => _clock.Start();

    /// <summary>Runs <paramref name="workers"/> desk workers until <paramref name="stop"/>; each finishes its call in flight.</summary>
    public Task RunAsync(int workers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w, stop), CancellationToken.None)));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            gateway.Channel.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task WorkAsync(int worker, CancellationToken stop)
    {
        var random = new Random(7919 * (worker + 1));
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var gateway = _gateways[(worker + n) % _gateways.Length];
            var roll = random.NextDouble();
            var noCache = random.NextDouble() < 0.2;
            // A clerk who closes the screen before the answer: 8% of reads are abandoned after 20 to 1,500 ms.
            TimeSpan? abandon = random.NextDouble() < 0.08 ? TimeSpan.FromMilliseconds(20 + random.Next(1480)) : null;
            var record = roll switch
            {
                < 0.40 => await OverviewAsync(worker, gateway, random, noCache, abandon),
                < 0.62 => await ListAccountsAsync(worker, gateway, random, noCache, abandon),
                < 0.92 => await BalanceAsync(worker, gateway, random, noCache, abandon),
                _ => await WriteAsync(worker, gateway, random),
            };
            lock (_calls)
            {
                _calls.Add(record);
            }

            // A desk clerk's pause between calls: 20 to 120 ms.
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 + random.Next(100)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// A citizen of the seed, by index: 30% of the time one of the morning's three families asked about at several desks
    /// at once (identical concurrent calls, which share the cache's per-key lock), otherwise any citizen.
    /// </summary>
    private int Citizen(Random random) =>
        random.NextDouble() < 0.3 && _hotCitizens.Count > 0 ? _hotCitizens[random.Next(_hotCitizens.Count)] : random.Next(_seed.Citizens.Count);

    private Task<CallRecord> OverviewAsync(int worker, (string Name, GrpcChannel Channel, FrontDeskService.FrontDeskServiceClient Client) gateway, Random random, bool noCache, TimeSpan? abandon)
    {
        var index = Citizen(random);
        return CallAsync(worker, gateway.Name, "GetCitizenOverview", $"citizen #{index}", noCache, null, abandon,
            options => gateway.Client.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = _seed.Citizens[index].Iin }, options),
            r => ([.. r.Results.Select(p => Source(p.Source))], r.Complete, null));
    }

    private Task<CallRecord> ListAccountsAsync(int worker, (string Name, GrpcChannel Channel, FrontDeskService.FrontDeskServiceClient Client) gateway, Random random, bool noCache, TimeSpan? abandon)
    {
        var index = Citizen(random);
        return CallAsync(worker, gateway.Name, "ListUtilityAccounts", $"citizen #{index}", noCache, null, abandon,
            options => gateway.Client.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = _seed.Citizens[index].Iin }, options),
            r => ([.. r.Sources.Select(Source)], null, null));
    }

    private Task<CallRecord> BalanceAsync(int worker, (string Name, GrpcChannel Channel, FrontDeskService.FrontDeskServiceClient Client) gateway, Random random, bool noCache, TimeSpan? abandon)
    {
        var index = random.Next(_accounts.Count);
        var account = _accounts[index];
        return CallAsync(worker, gateway.Name, "GetUtilityAccountBalance", $"account #{index} of {account.ProviderId}", noCache, null, abandon,
            options => gateway.Client.GetUtilityAccountBalanceAsync(
                new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber }, options),
            r => ([Source(r.Source)], null, null));
    }

    private async Task<CallRecord> WriteAsync(int worker, (string Name, GrpcChannel Channel, FrontDeskService.FrontDeskServiceClient Client) gateway, Random random)
    {
        var slot = _meters[random.Next(_meters.Count)];
        await slot.Gate.WaitAsync();
        try
        {
            // A new reading above every one sent before on this meter, answered or not, dated today (never in the future).
            slot.LastValue += 1000 + random.Next(1000);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var request = new Util.CreateMeterReadingRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Iin = slot.Account.Iin,
                AccountNumber = slot.Account.AccountNumber,
                MeterId = slot.MeterId,
                ValueMilliUnits = slot.LastValue,
                ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
            };
            var write = new WriteRecord(slot.Account.ProviderId, request, null);
            return await CallAsync(worker, gateway.Name, "CreateMeterReading", $"account #{slot.AccountIndex} of {slot.Account.ProviderId}", false, write, null,
                options => gateway.Client.CreateMeterReadingAsync(
                    new CreateMeterReadingRequest
                    {
                        ProviderId = slot.Account.ProviderId,
                        RequestId = request.RequestId,
                        Iin = request.Iin,
                        AccountNumber = request.AccountNumber,
                        MeterId = request.MeterId,
                        ValueMilliUnits = request.ValueMilliUnits,
                        ReadingDate = request.ReadingDate,
                    },
                    options),
                r => ([Source(r.Source)], null, write with { ReadingId = r.Reading?.ReadingId }));
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task<CallRecord> CallAsync<TResponse>(
        int worker,
        string gateway,
        string method,
        string subject,
        bool noCache,
        WriteRecord? write,
        TimeSpan? abandon,
        Func<CallOptions, AsyncUnaryCall<TResponse>> call,
        Func<TResponse, (IReadOnlyList<SourceRecord> Sources, bool? Complete, WriteRecord? Write)> read)
    {
        var headers = new Metadata
        {
            { "x-api-key", _apiKey },
            { "x-operator-id", $"chaos-operator-{worker}" },
            { "x-access-purpose", "citizen-enquiry" },
        };
        if (noCache)
        {
            headers.Add("cache-control", "no-cache");
        }

        using var wait = new CancellationTokenSource(abandon ?? _deskWait);
        var start = Now;
        var clock = Stopwatch.StartNew();
        try
        {
            using var pending = call(new CallOptions(headers: headers, cancellationToken: wait.Token));
            var response = await pending.ResponseAsync;
            var elapsed = clock.Elapsed;
            var (sources, complete, written) = read(response);
            return new CallRecord(worker, method, gateway, start, elapsed, StatusCode.OK, null, true, null, noCache, abandon is null ? subject : subject + ", abandoned", sources, complete, written ?? write);
        }
        catch (RpcException e)
        {
            var elapsed = clock.Elapsed;
            var gaveUp = wait.IsCancellationRequested;
            // A status the client made up carries the exception that caused it; the gateway's own statuses do not.
            var fromGateway = !gaveUp && e.Status.DebugException is null;
            var reason = e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
            var detail = !gaveUp ? e.Status.Detail
                : abandon is { } after ? $"abandoned by the desk after {after.TotalMilliseconds:F0} ms"
                : $"the desk gave up after {_deskWait.TotalSeconds:F0} s";
            return new CallRecord(worker, method, gateway, start, elapsed, e.StatusCode, reason, fromGateway, detail, noCache, abandon is null ? subject : subject + ", abandoned", [], null, write);
        }
    }

    private static SourceRecord Source(SourceStatus source) =>
        new(source.ProviderId, source.Status?.Code ?? 0, source.Status?.GetDetail<ErrorInfo>()?.Reason, source.Freshness);

    /// <summary>Puts the desk's deadline on every call as <c>grpc-timeout</c>, whatever the client's own deadline (none).</summary>
    private sealed class DeskDeadlineHandler(TimeSpan deadline) : DelegatingHandler
    {
        private readonly string _timeout = $"{(long)deadline.TotalMilliseconds}m";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("grpc-timeout");
            request.Headers.TryAddWithoutValidation("grpc-timeout", _timeout);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A meter the desk writes readings to, one write at a time, each above the last.</summary>
/// <param name="AccountIndex">The account's index in the seed's utility accounts.</param>
/// <param name="Account">The account.</param>
/// <param name="MeterId">The meter.</param>
public sealed record MeterSlot(int AccountIndex, DemoSeedUtilityAccount Account, string MeterId)
{
    /// <summary>The last value sent.</summary>
    public long LastValue { get; set; }

    /// <summary>One write at a time on this meter, so values arrive in order.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}
