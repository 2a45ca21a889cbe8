using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Chaos.Load;
using ProviderGateway.Chaos.Parts;
using ProviderGateway.Chaos.Rules;
using ProviderGateway.DemoProviders;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Chaos;

/// <summary>Something the timeline did, and when (from the start of the load).</summary>
/// <param name="At">When it was done.</param>
/// <param name="What">What was done.</param>
public sealed record TimelineEvent(TimeSpan At, string What);

/// <summary>A write replayed at its provider after the run, with the same request_id.</summary>
/// <param name="Call">The desk's call.</param>
/// <param name="Code">How the provider answered the replay.</param>
/// <param name="ReadingId">The reading it returned.</param>
/// <param name="Sequence">The provider's id sequence number of that reading.</param>
public sealed record WriteReplay(CallRecord Call, StatusCode Code, string? ReadingId, long? Sequence);

/// <summary>A provider's writes: its id sequence before and after the load (probe writes), and each write replayed.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="SequenceBefore">The probe reading's sequence number before the load.</param>
/// <param name="SequenceAfter">The probe reading's sequence number after the load.</param>
/// <param name="Replays">Every write of the desk to it, replayed.</param>
/// <param name="Receipts">CreateMeterReading calls it received during the load (its /demo/calls), retries included.</param>
public sealed record WriteEvidence(string ProviderId, long SequenceBefore, long SequenceAfter, IReadOnlyList<WriteReplay> Replays, long Receipts);

/// <summary>Everything a run saw, for the rules.</summary>
/// <param name="Options">The run's size.</param>
/// <param name="Calls">Every desk call.</param>
/// <param name="Timeline">What was done when.</param>
/// <param name="KilledGateway">The gateway killed with SIGKILL.</param>
/// <param name="KilledGatewayDown">From the kill until the restarted gateway served again.</param>
/// <param name="Gateways">Each gateway's metric, journal and log.</param>
/// <param name="Writes">Each written provider's evidence.</param>
/// <param name="Iins">The seed's IINs, to scan for.</param>
/// <param name="JournalFolders">Each gateway's journal folder (journal, anchor), to scan.</param>
/// <param name="Connections">The desk's connections to the gateways.</param>
public sealed record ChaosEvidence(
    ChaosOptions Options,
    IReadOnlyList<CallRecord> Calls,
    IReadOnlyList<TimelineEvent> Timeline,
    string KilledGateway,
    (TimeSpan From, TimeSpan To) KilledGatewayDown,
    IReadOnlyList<GatewayEvidence> Gateways,
    IReadOnlyList<WriteEvidence> Writes,
    IReadOnlyList<string> Iins,
    IReadOnlyList<string> JournalFolders,
    IReadOnlyList<DeskConnection> Connections);

/// <summary>
/// The chaos run: starts the parts, drives the desk through the fault timeline, stops, gathers the evidence
/// and checks the rules.
/// </summary>
public static class ChaosRun
{
    /// <summary>The provider killed (SIGKILL) and restarted.</summary>
    public const string DownProvider = "alatau-power";

    /// <summary>The provider made to hang (accepts calls, never answers).</summary>
    public const string HangingProvider = "teplo-service";

    /// <summary>The providers the desk writes meter readings to (neither killed nor hanging, so their memory of request_ids lasts the run).</summary>
    public static readonly IReadOnlyList<string> WrittenProviders = ["regional-water", "qazaq-gas-demo"];

    /// <summary>Runs the chaos test and checks the rules.</summary>
    /// <param name="options">Its size and where the builds are.</param>
    /// <param name="progress">Where progress lines go (the timeline as it happens).</param>
    public static async Task<ChaosResult> RunAsync(ChaosOptions options, TextWriter progress)
    {
        var seed = DemoSeed.Load(Path.Combine(options.RepositoryRoot, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json"));
        progress.WriteLine($"chaos ({options.Form}): starting 9 demo providers, redis-server and two gateways ({options.Configuration} build)");
        await using var cluster = await ChaosCluster.StartAsync(options.RepositoryRoot, options.Configuration, options.GatewayDirectory, seed);
        var (probes, meters) = WriteMeters(seed);
        var before = new Dictionary<string, long>();
        var receiptsBefore = new Dictionary<string, long>();
        foreach (var provider in WrittenProviders)
        {
            before[provider] = await ProbeAsync(cluster.Provider(provider).Address, probes[provider]);
            receiptsBefore[provider] = (await ChaosCluster.CallsAsync(cluster.Provider(provider).Address)).GetValueOrDefault("CreateMeterReading");
        }

        // The morning's queue: three families living where the provider that will hang serves, asked about at several desks.
        var hangingDistricts = seed.Providers.Single(p => p.Id == HangingProvider).KatoCodes;
        var hot = seed.Citizens.Select((c, i) => (c, i)).Where(c => hangingDistricts.Contains(c.c.KatoCode)).Take(3).Select(c => c.i).ToList();
        await using var desk = new DeskLoad(seed, [.. cluster.Gateways.Select(g => (g.Name, g.Grpc))], cluster.Secrets.ApiKey, options.DeskDeadline, options.DeskWait, meters, hot);
        var timeline = new List<TimelineEvent>();
        void Note(string what)
        {
            var e = new TimelineEvent(desk.Now, what);
            lock (timeline)
            {
                timeline.Add(e);
            }

            progress.WriteLine($"  {e.At.TotalSeconds,7:F2} s  {what}");
        }

        var killed = cluster.Gateways.Single(g => g.Name == "B");
        var down = cluster.Provider(DownProvider);
        var hanging = cluster.Provider(HangingProvider);
        TimeSpan killedAt = default, servingAgainAt = default;
        long journalAfterKill = 0;

        using var stop = new CancellationTokenSource();
        desk.StartClock();
        Note($"baseline: {options.Workers} desk workers, deadline {options.DeskDeadline.TotalSeconds:F0} s sent as grpc-timeout, desk waits {options.DeskWait.TotalSeconds:F0} s");
        var load = desk.RunAsync(options.Workers, stop.Token);
        async Task At(double units) => await DelayUntil(desk, TimeSpan.FromSeconds(units * options.Scale));

        await At(5);
        await cluster.Redis.KillAsync();
        Note("redis-server killed (SIGKILL)");
        await At(9);
        await down.Process.KillAsync();
        Note($"{DownProvider} killed (SIGKILL): down");
        await At(12);
        await ChaosCluster.SetFaultsAsync(hanging.Address, """{"hang":true}""");
        Note($"{HangingProvider} hangs (accepts calls, never answers)");
        await At(16);
        killedAt = desk.Now;
        await killed.Process.KillAsync();
        journalAfterKill = new FileInfo(killed.JournalPath).Length;
        Note($"gateway {killed.Name} killed (SIGKILL) mid-load; its journal is {journalAfterKill} bytes");
        await At(20);
        await cluster.Redis.StartAgainAsync();
        Note("redis-server restarted (empty)");
        await At(22);
        await killed.Process.StartAgainAsync();
        servingAgainAt = desk.Now;
        Note($"gateway {killed.Name} restarted on the same ports and journal, serving again");
        await At(26);
        await down.Process.StartAgainAsync();
        Note($"{DownProvider} restarted");
        await ChaosCluster.SetFaultsAsync(hanging.Address, """{"hang":false}""");
        Note($"{HangingProvider} answers again: recovery");
        await At(36);
        await stop.CancelAsync();
        Note("load stopped; waiting for the calls in flight");
        await load;
        Note($"{desk.Calls.Count} calls recorded");

        // The metric as each gateway counts it, once it no longer moves (a call the desk gave up on may still be ending).
        var metrics = new Dictionary<string, IReadOnlyDictionary<(string, string), long>>();
        foreach (var gateway in cluster.Gateways)
        {
            metrics[gateway.Name] = await SettledDeskCallsAsync(gateway.Management);
        }

        // The writes, before anything else touches the providers.
        var writes = new List<WriteEvidence>();
        foreach (var provider in WrittenProviders)
        {
            var address = cluster.Provider(provider).Address;
            var receipts = (await ChaosCluster.CallsAsync(address)).GetValueOrDefault("CreateMeterReading") - receiptsBefore[provider];
            var after = await ProbeAsync(address, probes[provider]);
            var replays = new List<WriteReplay>();
            foreach (var call in desk.Calls.Where(c => c.Write?.ProviderId == provider).OrderBy(c => c.Write!.Request.ValueMilliUnits))
            {
                replays.Add(await ReplayAsync(address, call, cluster.Secrets.ClientId));
            }

            writes.Add(new WriteEvidence(provider, before[provider], after, replays, receipts));
        }

        // Stopped as an orchestrator stops them: the journals drained and checkpointed.
        foreach (var gateway in cluster.Gateways)
        {
            if (!await gateway.Process.StopAsync(TimeSpan.FromSeconds(20)))
            {
                Note($"gateway {gateway.Name} did not stop within 20 s of SIGTERM and was killed");
            }
        }

        Note("gateways stopped (SIGTERM)");
        foreach (var gateway in cluster.Gateways)
        {
            // Kept for the operator: an INTERNAL names a trace id to look up here.
            await File.WriteAllTextAsync(Path.Combine(cluster.Secrets.Folder, $"gateway-{gateway.Name}.log"), gateway.Process.Output);
        }

        Note($"journals, keys and gateway logs in {cluster.Secrets.Folder}");
        var gateways = new List<GatewayEvidence>();
        foreach (var gateway in cluster.Gateways)
        {
            var (exit, output) = await EvidenceReader.VerifyJournalAsync(options.RepositoryRoot, gateway.JournalPath, cluster.Secrets.ChainKeyFile, cluster.Secrets.PublicKeyPath);
            gateways.Add(new GatewayEvidence(
                gateway.Name, gateway.JournalPath, gateway == killed ? journalAfterKill : 0, metrics[gateway.Name], exit, output, gateway.Process.Output));
        }

        var evidence = new ChaosEvidence(
            options,
            desk.Calls,
            timeline,
            killed.Name,
            (killedAt, servingAgainAt),
            gateways,
            writes,
            [.. seed.Citizens.Select(c => c.Iin)],
            [.. cluster.Gateways.Select(g => Path.GetDirectoryName(g.JournalPath)!)],
            desk.Connections.All);
        return new ChaosResult(evidence, ChaosRules.Check(evidence));
    }

    private static async Task DelayUntil(DeskLoad desk, TimeSpan at)
    {
        var wait = at - desk.Now;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static async Task<IReadOnlyDictionary<(string, string), long>> SettledDeskCallsAsync(Uri management)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var last = await EvidenceReader.DeskCallsAsync(management);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var now = await EvidenceReader.DeskCallsAsync(management);
            if (now.Values.Sum() == last.Values.Sum())
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    /// <summary>
    /// Each written provider's meters with their accounts: the first for probe writes made directly to the provider,
    /// the rest for the desk's writes.
    /// </summary>
    private static (Dictionary<string, MeterSlot> Probes, List<MeterSlot> Desk) WriteMeters(DemoSeed seed)
    {
        var probes = new Dictionary<string, MeterSlot>();
        var desk = new List<MeterSlot>();
        foreach (var provider in WrittenProviders)
        {
            var slots = seed.UtilityAccounts
                .Select((account, index) => (account, index))
                .Where(a => a.account.ProviderId == provider && a.account.State == Util.AccountState.Active)
                .SelectMany(a => a.account.Meters.Select(m => new MeterSlot(a.index, a.account, m.MeterId) { LastValue = m.LastReadingMilliUnits }))
                .ToList();
            if (slots.Count < 2)
            {
                throw new InvalidOperationException($"The seed has fewer than two meters on active accounts of {provider}: the write check needs one to probe and one to write.");
            }

            probes[provider] = slots[0];
            desk.AddRange(slots.Skip(1));
        }

        return (probes, desk);
    }

    /// <summary>Writes a reading directly to the provider and returns the sequence number of its id (its store's counter).</summary>
    private static async Task<long> ProbeAsync(Uri provider, MeterSlot probe)
    {
        probe.LastValue += 1000;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var channel = GrpcChannel.ForAddress(provider);
        var reading = await new Util.UtilitiesService.UtilitiesServiceClient(channel).CreateMeterReadingAsync(
            new Util.CreateMeterReadingRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Iin = probe.Account.Iin,
                AccountNumber = probe.Account.AccountNumber,
                MeterId = probe.MeterId,
                ValueMilliUnits = probe.LastValue,
                ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
            },
            deadline: DateTime.UtcNow.AddSeconds(10));
        return SequenceOf(reading.Reading.ReadingId) ?? throw new InvalidOperationException($"A reading id without a sequence number: {reading.Reading.ReadingId}");
    }

    // The replay comes as the gateway's call came: from the desk's client (x-client-id), the scope of a request_id.
    private static async Task<WriteReplay> ReplayAsync(Uri provider, CallRecord call, string clientId)
    {
        using var channel = GrpcChannel.ForAddress(provider);
        try
        {
            var reading = await new Util.UtilitiesService.UtilitiesServiceClient(channel).CreateMeterReadingAsync(
                call.Write!.Request, new Metadata { { "x-client-id", clientId } }, deadline: DateTime.UtcNow.AddSeconds(10));
            return new WriteReplay(call, StatusCode.OK, reading.Reading.ReadingId, SequenceOf(reading.Reading.ReadingId));
        }
        catch (RpcException e)
        {
            return new WriteReplay(call, e.StatusCode, null, null);
        }
    }

    // MR-20261204-ab12-000123: the last part counts every id the provider's store made.
    private static long? SequenceOf(string readingId) =>
        long.TryParse(readingId[(readingId.LastIndexOf('-') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;
}
