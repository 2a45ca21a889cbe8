using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Npgsql;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>
/// Durable submissions against what kills them: a gateway process killed with SIGKILL mid-delivery and started again
/// (SQLite), two gateway processes on one PostgreSQL with one killed mid-delivery, a PostgreSQL stopped and started under a
/// running gateway. In every case each submission reaches DELIVERED and the provider applies each request_id once (it may
/// receive one more than once: its idempotency by request_id answers the repeat).
/// </summary>
public sealed class SubmissionDurabilityTests() : SubmissionTestBase("pg-durability-")
{

    [Fact]
    public async Task Two_hundred_receipts_survive_a_SIGKILL_of_the_gateway_and_each_is_applied_exactly_once()
    {
        const int Writes = 200;
        var database = Path.Combine(Folder, "submissions.db");
        var settings = SettingsWith(s => s.Sqlite(database));
        Power.Faults.Down = true;

        var first = await GatewayProcess.StartAsync(settings);
        var requests = MeterReadings.For(Power.ProviderId).Take(Writes).Select(w => w.Accepting()).ToList();
        var receipts = await SubmitAsync(first, requests);
        Assert.All(receipts, r => Assert.True(r.State is SubmissionState.Accepted or SubmissionState.OnDelivery, r.ToString()));

        // The provider comes back, slowly: deliveries are under way when the gateway is killed.
        Power.Faults.Latency = TimeSpan.FromMilliseconds(20);
        Power.Faults.Down = false;
        await WaitUntilAsync(() => Power.Writes.TotalApplied >= 10, "ten deliveries before the kill");
        await first.KillAsync();
        var appliedAtKill = Power.Writes.TotalApplied;
        await first.DisposeAsync();

        await using var second = await GatewayProcess.StartAsync(settings);
        await WaitUntilAsync(() => Power.Writes.TotalApplied >= Writes, $"{Writes} applications after the restart (applied at the kill: {appliedAtKill})");
        var delivered = await ListAsync(second, SubmissionState.Delivered);

        Assert.True(appliedAtKill < Writes, $"every submission was applied before the kill ({appliedAtKill}): the kill proved nothing");
        Assert.Equal(requests.Select(r => r.RequestId).Order(), delivered.Select(s => s.RequestId).Order());
        Assert.All(requests, r => Assert.Equal(1, Power.Writes.Applied(r.RequestId)));
        Assert.Equal(Writes, Power.Writes.TotalApplied);
        AssertNoIin(File.ReadAllBytes(database).Concat(File.Exists(database + "-wal") ? File.ReadAllBytes(database + "-wal") : []).ToArray());
    }

    [Fact]
    public async Task Two_gateways_on_one_PostgreSQL_with_one_killed_mid_delivery_apply_each_submission_exactly_once()
    {
        const int Writes = 120;
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await NewDatabaseAsync(postgres);
        var settings = SettingsWith(s => s.Postgres(connectionString).Lease(TimeSpan.FromSeconds(5)));
        Power.Faults.Down = true;

        var doomed = await GatewayProcess.StartAsync(settings);
        await using var survivor = await GatewayProcess.StartAsync(settings);
        var requests = MeterReadings.For(Power.ProviderId).Take(Writes).Select(w => w.Accepting()).ToList();
        var receipts = await SubmitAsync(doomed, requests.Take(Writes / 2).ToList());
        receipts.AddRange(await SubmitAsync(survivor, requests.Skip(Writes / 2).ToList()));
        Assert.Equal(Writes, receipts.Select(r => r.SubmissionId).Distinct().Count());

        Power.Faults.Latency = TimeSpan.FromMilliseconds(20);
        Power.Faults.Down = false;
        await WaitUntilAsync(() => Power.Writes.TotalApplied >= 10, "ten deliveries before the kill");
        await doomed.KillAsync();
        var appliedAtKill = Power.Writes.TotalApplied;
        await doomed.DisposeAsync();

        // The survivor takes over what the killed one held once its leases end.
        await WaitUntilAsync(() => Power.Writes.TotalApplied >= Writes, $"{Writes} applications (at the kill: {appliedAtKill})");
        // The provider applies a write before its answer comes back and the row is marked delivered: polled, not raced.
        var delivered = await ListAsync(survivor, SubmissionState.Delivered);
        for (var until = DateTime.UtcNow + TimeSpan.FromSeconds(30); delivered.Count < Writes && DateTime.UtcNow < until;)
        {
            await Task.Delay(50);
            delivered = await ListAsync(survivor, SubmissionState.Delivered);
        }

        Assert.True(appliedAtKill < Writes, $"every submission was applied before the kill ({appliedAtKill})");
        Assert.Equal(Writes, delivered.Count);
        Assert.All(requests, r => Assert.Equal(1, Power.Writes.Applied(r.RequestId)));
        Assert.Equal(Writes, Power.Writes.TotalApplied);
    }

    [Fact]
    public async Task A_stopped_database_gives_no_receipt_and_once_restarted_delivery_resumes_without_a_gateway_restart()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await NewDatabaseAsync(postgres);
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, [])],
            new GatewaySettings().WithSubmissions(s => s.Postgres(connectionString).RetryDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)).PollInterval(TimeSpan.FromMilliseconds(100))));
        Power.Faults.Down = true;
        var writes = MeterReadings.For(Power.ProviderId).Take(3).ToList();
        var before = (await gateway.FrontDesk.CreateMeterReadingAsync(writes[0].Accepting())).Submission;

        await postgres.KillAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(writes[1].Accepting()).ResponseAsync);
        var sync = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(writes[2].Request).ResponseAsync);
        await postgres.StartAgainAsync();
        Power.Faults.Down = false;
        var delivered = await SubmissionDeliveryTests.WaitForStateAsync(gateway.FrontDesk, before.SubmissionId, SubmissionState.Delivered);

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("SUBMISSION_STORE_UNAVAILABLE", Reason(refused));
        Assert.Equal(StatusCode.Unavailable, sync.StatusCode);
        Assert.Equal("PROVIDER_UNAVAILABLE", Reason(sync));
        Assert.NotNull(delivered.Reading);
        Assert.Equal(0, Power.Writes.Applied(writes[1].Request.RequestId));
        Assert.Equal(1, Power.Writes.Applied(writes[0].Request.RequestId));
    }

    private GatewaySettings SettingsWith(Action<TestSupport.Settings.SubmissionSettings> store) =>
        GatewayProcess.SettingsFor([new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, [])])
            .WithSubmissions(s =>
            {
                store(s);
                s.RetryDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)).PollInterval(TimeSpan.FromMilliseconds(100));
            });

    private static async Task<string> NewDatabaseAsync(PostgresServer postgres)
    {
        var database = $"gateway_{Guid.NewGuid():N}";
        await using (var connection = await postgres.OpenAsync())
        {
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {database}";
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database, Pooling = true }.ConnectionString;
    }

    // One write after the other: acceptance order is each meter's reading order, which the provider checks.
    private static async Task<List<Submission>> SubmitAsync(GatewayProcess gateway, IReadOnlyList<CreateMeterReadingRequest> requests)
    {
        using var channel = GrpcChannel.ForAddress($"http://{gateway.GrpcAuthority}");
        var desk = TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        var receipts = new List<Submission>(requests.Count);
        foreach (var request in requests)
        {
            var answer = await desk.CreateMeterReadingAsync(request);
            receipts.Add(answer.Submission ?? throw new Xunit.Sdk.XunitException($"No receipt: the provider took the write ({answer.Source.Status})."));
        }

        return receipts;
    }

    private static async Task<List<Submission>> ListAsync(GatewayProcess gateway, SubmissionState state)
    {
        using var channel = GrpcChannel.ForAddress($"http://{gateway.GrpcAuthority}");
        var desk = TestGateway.ClientWith(channel, TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        var all = new List<Submission>();
        var token = "";
        do
        {
            var page = await desk.ListSubmissionsAsync(new ListSubmissionsRequest { State = state, PageSize = 100, PageToken = token });
            all.AddRange(page.Submissions);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited 90 s for {what}.");
            }

            await Task.Delay(20);
        }
    }

    private static string? Reason(RpcException error) => error.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;

    private static void AssertNoIin(byte[] dump)
    {
        var text = Encoding.Latin1.GetString(dump);
        foreach (var citizen in DemoData.Seed.Citizens)
        {
            Assert.DoesNotContain(citizen.Iin, text, StringComparison.Ordinal);
        }
    }
}
