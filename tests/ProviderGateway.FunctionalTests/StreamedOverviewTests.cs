using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client.Web;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// StreamCitizenOverview against a real gateway and its demo providers: the providers announced, each result as soon as
/// its provider answers (a slow one last, the others long before), the closing completeness; over native gRPC, gRPC-Web
/// text mode and JSON; the same answer, refusals and journal line as GetCitizenOverview.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class StreamedOverviewTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string KarasaiIin = "791028302728";   // Akhmetov: accounts with three utility providers, parcels
    private const string SlowProvider = "alatau-power";
    private static readonly TimeSpan SlowLatency = TimeSpan.FromMilliseconds(1500);
    private static readonly Metadata NoCache = new() { { "cache-control", "no-cache" } };

    public enum Protocol
    {
        Grpc,
        GrpcWebText,
    }

    [Theory]
    [InlineData(Protocol.Grpc)]
    [InlineData(Protocol.GrpcWebText)]
    public async Task Each_result_arrives_as_its_provider_answers_the_slow_one_last_then_completeness(Protocol protocol)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var web = protocol == Protocol.GrpcWebText ? BrowserDesk.GrpcWebChannel(gateway, GrpcWebMode.GrpcWebText) : null;
        var desk = web is null ? gateway.FrontDesk : TestGateway.ClientWith(web, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        await ReadAsync(desk, KarasaiIin, NoCache); // connections and JIT, before the clock starts
        gateway.EmbeddedProviders[SlowProvider].Faults.Latency = SlowLatency;

        var clock = Stopwatch.StartNew();
        var messages = await ReadAsync(desk, KarasaiIin, NoCache, clock);

        var providers = DemoData.Seed.Providers.Count;
        Assert.Equal(providers + 2, messages.Count);
        var started = messages[0].Message.Started;
        Assert.NotNull(started);
        Assert.Equal(DemoData.Seed.Providers.Select(p => p.Id).Order(), started.Providers.Select(p => p.ProviderId).Order());
        var results = messages.Skip(1).Take(providers).ToList();
        Assert.All(results, r => Assert.Equal(StreamCitizenOverviewResponse.EventOneofCase.Result, r.Message.EventCase));
        Assert.Equal(started.Providers.Select(p => p.ProviderId).Order(), results.Select(r => r.Message.Result.Source.ProviderId).Order());

        // The slow provider's result is last; every other came long before it (generous bounds: a busy 2-core machine).
        var slow = results[^1];
        Assert.Equal(SlowProvider, slow.Message.Result.Source.ProviderId);
        var fast = results[..^1];
        output.WriteLine($"{protocol}: {fast.Count} fast results by {fast.Max(r => r.At).TotalMilliseconds:F0} ms, the slow one at {slow.At.TotalMilliseconds:F0} ms");
        Assert.True(fast.Max(r => r.At) < TimeSpan.FromMilliseconds(1000), $"the fast results came by {fast.Max(r => r.At).TotalMilliseconds:F0} ms");
        Assert.True(slow.At >= SlowLatency - TimeSpan.FromMilliseconds(50), $"the slow result came at {slow.At.TotalMilliseconds:F0} ms");
        Assert.All(fast, r => Assert.Equal((int)StatusCode.OK, r.Message.Result.Source.Status.Code));
        Assert.All(fast, r => Assert.Equal(Freshness.Live, r.Message.Result.Source.Freshness));

        var finished = messages[^1].Message.Finished;
        Assert.NotNull(finished);
        Assert.Equal(results.All(r => r.Message.Result.Source.Status.Code == 0), finished.Complete);
        Assert.NotNull(finished.GenerateTime);
    }

    [Fact]
    public async Task The_streamed_overview_holds_what_the_overview_holds_with_a_provider_down_reported_in_its_result()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;

        var whole = await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin }, NoCache);
        var streamed = await ReadAsync(gateway.FrontDesk, KarasaiIin, NoCache);

        var results = streamed.Where(m => m.Message.EventCase == StreamCitizenOverviewResponse.EventOneofCase.Result).Select(m => m.Message.Result).ToList();
        Assert.Equal(Data(whole.Results), Data(results));
        var down = results.Single(r => r.Source.ProviderId == "teplo-service");
        Assert.Equal((int)StatusCode.Unavailable, down.Source.Status.Code);
        Assert.Equal("PROVIDER_UNAVAILABLE", down.Source.Status.Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>().Reason);
        Assert.False(whole.Complete);
        Assert.False(streamed[^1].Message.Finished.Complete);

        // Asked again without no-cache: the answers the stream fetched are the cache's, as the overview's are.
        var again = await ReadAsync(gateway.FrontDesk, KarasaiIin);
        Assert.All(
            again.Where(m => m.Message.Result?.Source.ProviderId is { } id && id != "teplo-service").Select(m => m.Message.Result),
            r => Assert.Equal(Freshness.Cached, r.Source.Freshness));
    }

    [Fact]
    public async Task Bad_input_and_a_missing_permission_end_the_stream_before_any_message_and_no_provider_is_called()
    {
        await using var gateway = await TestGateway.StartAsync();
        var calls = CallCount(gateway);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(gateway.FrontDesk, "791028302729"));
        var unknownKey = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(gateway.ClientWith("no-such-key", TestSecrets.OperatorId, TestSecrets.Purpose), KarasaiIin));
        var noOperator = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(gateway.ClientWith(TestSecrets.ApiKey, null, TestSecrets.Purpose), KarasaiIin));

        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("iin", invalid.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.Unauthenticated, unknownKey.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noOperator.StatusCode);
        Assert.Equal(calls, CallCount(gateway));
    }

    [Fact]
    public async Task One_journal_line_per_streamed_overview_naming_every_provider_and_its_outcome()
    {
        var path = TestSecrets.NewJournalPath();
        await using (var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithJournal(j => j.Path(path))))
        {
            await ReadAsync(gateway.FrontDesk, KarasaiIin, NoCache);
        }

        var lines = (await File.ReadAllLinesAsync(path))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("entry", out var e) && e.GetProperty("method").GetString() == "StreamCitizenOverview")
            .Select(l => l.GetProperty("entry"))
            .ToList();
        var line = Assert.Single(lines);
        Assert.Equal("OK", line.GetProperty("result").GetString());
        Assert.Equal("iin", line.GetProperty("subject_kind").GetString());
        Assert.DoesNotContain(KarasaiIin, line.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(
            DemoData.Seed.Providers.Select(p => p.Id).Order(),
            line.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Order());
    }

    [Fact]
    public async Task Over_JSON_the_messages_arrive_one_JSON_object_per_line_as_they_come()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = BrowserDesk.Http(gateway);
        gateway.EmbeddedProviders[SlowProvider].Faults.Latency = SlowLatency;

        using var request = BrowserDesk.Post("/v1/citizens:streamOverview", new StreamCitizenOverviewRequest { Iin = KarasaiIin });
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<(string Line, TimeSpan At)>();
        while (await body.ReadLineAsync() is { } line)
        {
            lines.Add((line, clock.Elapsed));
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = lines.Where(l => l.Line.Length > 0).Select(l => BrowserDesk.Parser.Parse<StreamCitizenOverviewResponse>(l.Line)).ToList();
        var fastBy = lines[^3].At;
        output.WriteLine($"JSON: the fast results by {fastBy.TotalMilliseconds:F0} ms, the slow one at {lines[^2].At.TotalMilliseconds:F0} ms");
        Assert.True(fastBy < TimeSpan.FromMilliseconds(1000), $"the fast results came by {fastBy.TotalMilliseconds:F0} ms, not as they were ready");
        Assert.Equal(DemoData.Seed.Providers.Count + 2, messages.Count);
        Assert.Equal(StreamCitizenOverviewResponse.EventOneofCase.Started, messages[0].EventCase);
        Assert.Equal(SlowProvider, messages[^2].Result.Source.ProviderId);
        Assert.Equal(StreamCitizenOverviewResponse.EventOneofCase.Finished, messages[^1].EventCase);
    }

    private static async Task<List<(StreamCitizenOverviewResponse Message, TimeSpan At)>> ReadAsync(
        FrontDeskService.FrontDeskServiceClient desk, string iin, Metadata? headers = null, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        using var call = desk.StreamCitizenOverview(new StreamCitizenOverviewRequest { Iin = iin }, headers);
        var messages = new List<(StreamCitizenOverviewResponse, TimeSpan)>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add((message, clock.Elapsed));
        }

        return messages;
    }

    private static long CallCount(TestGateway gateway) => gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

    // Each provider's data, status and freshness, by provider (latency and fetch time differ between calls).
    private static List<string> Data(IEnumerable<ProviderResult> results) =>
    [
        .. results.OrderBy(r => r.Source.ProviderId, StringComparer.Ordinal).Select(r =>
        {
            var copy = r.Clone();
            copy.Source.Latency = null;
            copy.Source.FetchTime = null;
            copy.Source.Status.Message = "";
            return copy.ToString();
        }),
    ];
}
