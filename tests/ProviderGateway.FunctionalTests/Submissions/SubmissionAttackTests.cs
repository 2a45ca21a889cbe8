using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>
/// Attacks on durable submissions (the review of commit 4a45330 and its follow-ups), on a real gateway with a SQLite store
/// and a real demo provider: as a desk holding one valid key, as a district-limited desk, as a faulty provider, and as
/// someone reading the store, the logs, the metrics or the journal. Each test states a rule that must hold.
/// </summary>
public sealed class SubmissionAttackTests() : SubmissionTestBase("pg-attack-")
{
    private const string OtherKey = "other-desk-key-0123456789abcdef";
    private const string RogueKey = "rogue-desk-key-0123456789abcdef";
    private const string BalkhashKey = "balkhash-desk-key-0123456789abcd";
    private static readonly string[] AlatauDistricts = ["193600000", "195200000", "195800000", "196800000"];


    // -----------------------------------------------------------------------------------------------------------------
    // Findings (each failed on the reviewed code).
    // -----------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// (c) A write whose first try reached the provider (applied, answer lost) and whose retry found the provider's
    /// concurrency limit full came back PROVIDER_BUSY, read as "never reached the provider": the receipt said ACCEPTED with
    /// no attempt, and the desk could cancel it (DELIVERY_STOPPED, "the provider never saw it") while the provider had
    /// applied it. A desk trusting that would submit the write again under a new request_id: applied twice.
    /// </summary>
    [Fact]
    public async Task A_write_applied_by_a_try_whose_retry_found_the_provider_busy_is_not_ACCEPTED_nor_cancellable()
    {
        await using var gateway = await StartGatewayAsync(
            new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 1_000_000)),
            maxConcurrentCalls: 1);
        var write = MeterReadings.For(Power.ProviderId).First();
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == Power.ProviderId && a.AccountNumber != write.Request.AccountNumber);
        Power.Faults.Latency = TimeSpan.FromMilliseconds(300);
        Power.Faults.LoseWriteAnswers = true;

        // The write's first try holds the provider's only permit; the moment it is free, fresh reads of other desks take it.
        var pending = gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting(), deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync;
        await SubmissionDeliveryTests.WaitForAsync(() => Power.Writes.Received(write.Request.RequestId) >= 1, "the first try on the wire");
        using var stop = new CancellationTokenSource();
        var noCache = new Metadata { { "cache-control", "no-cache" } };
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await gateway.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = Power.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber }, noCache);
                }
                catch (RpcException)
                {
                    // Busy: try again at once.
                }
            }
        })).ToList();
        CreateMeterReadingResponse answer;
        try
        {
            answer = await pending;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }

        var applied = Power.Writes.Applied(write.Request.RequestId);
        var busyReason = answer.Source.Status.GetDetail<Google.Rpc.ErrorInfo>()!.Reason;
        Assert.Equal(1, applied);
        Assert.True(
            answer.Submission.State == SubmissionState.OnDelivery && answer.Submission.Attempts >= 1,
            $"The provider applied the write, yet the receipt is {answer.Submission.State} with {answer.Submission.Attempts} attempts (source {busyReason}).");
        var cancel = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = answer.Submission.SubmissionId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, cancel.StatusCode);
    }

    /// <summary>
    /// (a) request_ids compare without case everywhere else (the store keeps them in lower case, providers compare them
    /// ignoring case), but the request's digest was taken over its bytes with the request_id as sent: the identical write
    /// sent again with its request_id in capitals was ALREADY_EXISTS (REQUEST_ID_REUSED) instead of its receipt.
    /// </summary>
    [Fact]
    public async Task The_same_write_sent_again_with_its_request_id_in_capitals_gets_the_same_receipt()
    {
        await using var gateway = await StartGatewayAsync();
        Power.Faults.Down = true;
        var write = MeterReadings.For(Power.ProviderId).First().Accepting();
        var receipt = (await gateway.FrontDesk.CreateMeterReadingAsync(write)).Submission;

        var again = write.Clone();
        again.RequestId = write.RequestId.ToUpperInvariant();
        var second = await gateway.FrontDesk.CreateMeterReadingAsync(again);

        Assert.Equal(receipt.SubmissionId, second.Submission.SubmissionId);
        Power.Faults.Down = false;
        await SubmissionDeliveryTests.WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered);
        Assert.Equal(1, Power.Writes.Applied(write.RequestId));
    }

    /// <summary>
    /// (d) The journal is kept owner-only (0600), but the submission store beside it was created with the process's umask
    /// (0644 here): client ids, request ids, operators, purposes, districts and the citizens' HMACs readable by every
    /// local account. The store's file, its WAL and its lock are the owner's only.
    /// </summary>
    [Fact]
    public async Task The_SQLite_store_and_its_WAL_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes.
        }

        await using (var gateway = await StartGatewayAsync())
        {
            Power.Faults.Down = true;
            var receipt = (await gateway.FrontDesk.CreateMeterReadingAsync(MeterReadings.For(Power.ProviderId).First().Accepting())).Submission;
            Assert.NotNull(receipt);

            foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + ".lock" }.Where(File.Exists))
            {
                var mode = File.GetUnixFileMode(file);
                Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) == 0, $"{Path.GetFileName(file)} is {Convert.ToString((int)mode, 8)}");
            }
        }
    }

    /// <summary>
    /// (a) A stolen key is revoked by removing its client (or its permission) and restarting the gateway; the writes the
    /// thief queued while the provider was down were still delivered afterwards, in the removed client's name. A
    /// submission whose client no longer exists, or may no longer call its method, ends NOT_DELIVERED, never sent.
    /// </summary>
    [Fact]
    public async Task The_submissions_of_a_client_removed_since_are_not_delivered_in_its_name()
    {
        var write = MeterReadings.For(Power.ProviderId).First();
        Power.Faults.Down = true;
        await using (var before = await StartGatewayAsync(new GatewaySettings().WithClient(c => c.Id("rogue-desk").ApiKey(RogueKey).Permissions("*").Districts("*").Unlimited())))
        {
            var rogue = before.ClientWith(RogueKey, TestSecrets.OperatorId, TestSecrets.Purpose);
            var receipt = (await rogue.CreateMeterReadingAsync(write.Accepting())).Submission;
            Assert.NotNull(receipt);
        }

        SqliteConnection.ClearAllPools();
        await using var after = await StartGatewayAsync();
        Power.Faults.Down = false;
        await SubmissionDeliveryTests.WaitForAsync(() => Power.Writes.Received(write.Request.RequestId) > 0 || StateOf(write.Request.RequestId) is 3 or 4 or 5, "the submission to end");

        Assert.Equal(0, Power.Writes.Received(write.Request.RequestId));
        Assert.Equal(4, StateOf(write.Request.RequestId));
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Attacks that failed: the rules hold.
    // -----------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Another_clients_submission_is_NOT_FOUND_whatever_the_case_of_its_id_and_its_page_tokens_open_for_nobody_else()
    {
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithClient(c => c.Id("other-desk").ApiKey(OtherKey).Permissions("*").Districts("*").Unlimited()));
        Power.Faults.Down = true;
        var writes = MeterReadings.For(Power.ProviderId).Take(3).ToList();
        var mine = new List<Submission>();
        foreach (var write in writes)
        {
            mine.Add((await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting())).Submission);
        }

        var other = gateway.ClientWith(OtherKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        var upper = mine[0].SubmissionId.ToUpperInvariant();

        // Mine in capitals is mine; another client's, in any case, is absent.
        Assert.Equal(mine[0].SubmissionId, (await gateway.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = upper })).Submission.SubmissionId);
        foreach (var id in new[] { mine[0].SubmissionId, upper })
        {
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => other.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = id }).ResponseAsync)).StatusCode);
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => other.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = id }).ResponseAsync)).StatusCode);
        }

        // A page token is the client's and the filter's: replayed by another client, or with another filter, it is refused.
        var page = await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest { PageSize = 1 });
        Assert.NotEmpty(page.NextPageToken);
        var replays = new (FrontDeskService.FrontDeskServiceClient Desk, ListSubmissionsRequest Request)[]
        {
            (other, new ListSubmissionsRequest { PageSize = 1, PageToken = page.NextPageToken }),
            (gateway.FrontDesk, new ListSubmissionsRequest { PageSize = 1, PageToken = page.NextPageToken, Iin = writes[0].Request.Iin }),
            (gateway.FrontDesk, new ListSubmissionsRequest { PageSize = 1, PageToken = page.NextPageToken, State = SubmissionState.Delivered }),
        };
        foreach (var (desk, request) in replays)
        {
            Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => desk.ListSubmissionsAsync(request).ResponseAsync)).StatusCode);
        }

        Assert.Empty((await other.ListSubmissionsAsync(new ListSubmissionsRequest())).Submissions);
        Assert.Empty((await other.ListSubmissionsAsync(new ListSubmissionsRequest { Iin = writes[0].Request.Iin })).Submissions);
        // Untouched by the other client's cancels: still waiting (the first of its citizen ON_DELIVERY, the others behind it).
        Assert.All(mine, s => Assert.Contains(gateway.FrontDesk.GetSubmission(new GetSubmissionRequest { SubmissionId = s.SubmissionId }).Submission.State, new[] { SubmissionState.OnDelivery, SubmissionState.Accepted }));

        // The JSON routes over HTTP/1.1 are the same methods: another client's key finds nothing, no key is refused.
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress };
        async Task<HttpStatusCode> PostAsync(string path, string? key, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
            if (key is not null)
            {
                request.Headers.Add("x-api-key", key);
            }

            request.Headers.Add("x-operator-id", TestSecrets.OperatorId);
            request.Headers.Add("x-access-purpose", TestSecrets.Purpose);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v1/submissions:get", TestSecrets.ApiKey, new { submissionId = upper }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync("/v1/submissions:get", OtherKey, new { submissionId = upper }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync("/v1/submissions:cancel", OtherKey, new { submissionId = mine[1].SubmissionId }));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("/v1/submissions:get", null, new { submissionId = mine[1].SubmissionId }));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("/v1/submissions:list", OtherKey, new { pageSize = 1, pageToken = page.NextPageToken }));
    }

    [Fact]
    public async Task A_district_limited_client_cannot_store_a_write_outside_its_districts_even_with_the_provider_down()
    {
        await using var gateway = await StartGatewayAsync(
            new GatewaySettings().WithClient(c => c.Id("balkhash-desk").ApiKey(BalkhashKey).Permissions("*").Districts("1936").Unlimited()),
            katoCodes: AlatauDistricts);
        var balkhash = gateway.ClientWith(BalkhashKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        // An account of Karasai (195200000), at a provider serving Balkhash too.
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == Power.ProviderId && a.Address?.KatoCode == "195200000" && a.Meters.Count > 0 && a.State != ProviderGateway.Contracts.Utilities.V1.AccountState.Closed);
        var write = MeterReadings.For(Power.ProviderId).First(w => w.Request.AccountNumber == account.AccountNumber).Accepting();
        var asKarasai = write.Clone();
        asKarasai.KatoCode = "195200000";
        var asBalkhash = write.Clone();
        asBalkhash.KatoCode = "193600000";

        var named = await Assert.ThrowsAsync<RpcException>(() => balkhash.CreateMeterReadingAsync(asKarasai).ResponseAsync);
        var hiddenUp = await Assert.ThrowsAsync<RpcException>(() => balkhash.CreateMeterReadingAsync(asBalkhash).ResponseAsync);
        Power.Faults.Down = true;
        var hiddenDown = await Assert.ThrowsAsync<RpcException>(() => balkhash.CreateMeterReadingAsync(Renewed(asBalkhash)).ResponseAsync);
        var otherProvider = Renewed(asBalkhash);
        otherProvider.ProviderId = "zhetysu-power";
        var unknown = await Assert.ThrowsAsync<RpcException>(() => balkhash.CreateMeterReadingAsync(otherProvider).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, named.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, hiddenUp.StatusCode);
        Assert.NotEqual(StatusCode.OK, hiddenDown.StatusCode);
        Assert.NotEqual(StatusCode.OK, unknown.StatusCode);
        Assert.Empty((await balkhash.ListSubmissionsAsync(new ListSubmissionsRequest())).Submissions);
        Assert.Empty((await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest())).Submissions);
        Assert.Equal(0, Power.Writes.Applied(write.RequestId));
    }

    [Fact]
    public async Task A_request_id_of_a_stored_submission_reused_for_another_write_provider_or_method_is_ALREADY_EXISTS()
    {
        await using var gateway = await StartGatewayAsync();
        Power.Faults.Down = true;
        var writes = MeterReadings.For(Power.ProviderId).Take(2).ToList();
        var stored = writes[0].Accepting();
        Assert.NotNull((await gateway.FrontDesk.CreateMeterReadingAsync(stored)).Submission);

        // Another write under it (queued behind the first, so the provider is not even asked), and the same write to
        // another citizen's meter (tried at once, then stored): both refused.
        var otherValue = stored.Clone();
        otherValue.ValueMilliUnits += 1;
        var otherWrite = writes[1].Accepting();
        otherWrite.RequestId = stored.RequestId;
        var otherMethod = new CreateCertificateOrderRequest
        {
            RequestId = stored.RequestId, Iin = stored.Iin, CertificateType = ProviderGateway.Contracts.LandRegistry.V1.CertificateType.RealEstateOwnership, DeliveryMode = DeliveryMode.AcceptWhenUnavailable,
        };

        foreach (var call in new Func<Task>[]
        {
            () => gateway.FrontDesk.CreateMeterReadingAsync(otherValue).ResponseAsync,
            () => gateway.FrontDesk.CreateMeterReadingAsync(otherWrite).ResponseAsync,
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        }

        // CreateCertificateOrder has no land registry here: refused by routing, nothing stored.
        await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateCertificateOrderAsync(otherMethod).ResponseAsync);
        Assert.Single((await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest())).Submissions);
    }

    [Fact]
    public async Task A_SYNC_retry_after_a_receipt_and_a_lost_answer_are_applied_once_and_a_cancel_racing_the_relay_never_reaches_the_provider()
    {
        // The breaker opens after two failures for 2 s: the writes are stored ACCEPTED (never sent), cancellable.
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 2, failureRatio: 0.5, breakDuration: TimeSpan.FromSeconds(2))));
        var writes = MeterReadings.For(Power.ProviderId).Take(40).ToList();
        Power.Faults.Down = true;
        foreach (var opener in writes.Take(2))
        {
            await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(opener.Request).ResponseAsync);
        }

        var accepted = new List<(MeterReadingWrite Write, Submission Receipt)>();
        foreach (var write in writes.Skip(2))
        {
            accepted.Add((write, (await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting())).Submission));
        }

        // The provider is back, answering every write but losing the answers; cancels race the relay as the break ends.
        Power.Faults.Down = false;
        Power.Faults.LoseWriteAnswers = true;
        var cancels = accepted.Select(async (a, i) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1500 + (i * 25)));
            try
            {
                await gateway.FrontDesk.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = a.Receipt.SubmissionId });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                // Too late: the relay took it.
            }
        });
        await Task.WhenAll(cancels);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Power.Faults.LoseWriteAnswers = false;

        // A desk that got a receipt retries in SYNC with the same request_id: the provider replays, never applies twice.
        var retried = accepted.Where(a => gateway.FrontDesk.GetSubmission(new GetSubmissionRequest { SubmissionId = a.Receipt.SubmissionId }).Submission.State == SubmissionState.OnDelivery).Take(3).ToList();
        foreach (var (write, _) in retried)
        {
            // The lost answers may have opened the circuit again: retried until the provider takes it.
            await RetryAsync(() => gateway.FrontDesk.CreateMeterReadingAsync(write.Request).ResponseAsync);
        }

        foreach (var (write, receipt) in accepted)
        {
            var final = (await gateway.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = receipt.SubmissionId })).Submission;
            if (final.State != SubmissionState.DeliveryStopped)
            {
                final = (await SubmissionDeliveryTests.WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered)).Submission;
            }

            var expected = final.State == SubmissionState.DeliveryStopped ? 0 : 1;
            Assert.True(Power.Writes.Applied(write.Request.RequestId) == expected, $"{final.State}: applied {Power.Writes.Applied(write.Request.RequestId)} times");
            if (final.State == SubmissionState.DeliveryStopped)
            {
                Assert.Equal(0, Power.Writes.Received(write.Request.RequestId));
            }
        }
    }

    [Fact]
    public async Task No_IIN_in_clear_in_the_store_its_WAL_the_journal_the_metrics_or_the_logs()
    {
        var writes = MeterReadings.For(Power.ProviderId).Take(4).ToList();
        var iins = writes.Select(w => w.Request.Iin).Distinct().ToList();
        string metrics;
        string journal;
        await using (var gateway = await StartGatewayAsync())
        {
            Power.Faults.Down = true;
            var receipts = new List<Submission>();
            foreach (var write in writes)
            {
                receipts.Add((await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting())).Submission);
            }

            await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest { Iin = iins[0] });
            Assert.True(File.Exists(DatabasePath + "-wal"));
            AssertNoIin(File.ReadAllBytes(DatabasePath + "-wal"), iins, "the WAL");
            Power.Faults.Down = false;
            foreach (var receipt in receipts)
            {
                await SubmissionDeliveryTests.WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered);
            }

            using var management = new HttpClient { BaseAddress = gateway.ManagementAddress };
            metrics = await management.GetStringAsync("/metrics");
            await SubmissionDeliveryTests.WaitForAsync(() => JournalFile.Entries(gateway.JournalPath).Count(e => e.TryGetProperty("submission", out _)) >= 2 * writes.Count, "the journal's lines");
            journal = File.ReadAllText(gateway.JournalPath);
        }

        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Folder))
        {
            AssertNoIin(File.ReadAllBytes(file), iins, Path.GetFileName(file));
        }

        AssertNoIin(Encoding.UTF8.GetBytes(metrics), iins, "the metrics");
        AssertNoIin(Encoding.UTF8.GetBytes(journal), iins, "the journal");
        var logs = Path.Combine(AppContext.BaseDirectory, "captured-logs.txt");
        if (File.Exists(logs))
        {
            using var reader = new FileStream(logs, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var memory = new MemoryStream();
            await reader.CopyToAsync(memory);
            AssertNoIin(memory.ToArray(), iins, "the captured logs");
        }
    }

    private static void AssertNoIin(byte[] content, IEnumerable<string> iins, string where)
    {
        var text = Encoding.Latin1.GetString(content);
        foreach (var iin in iins)
        {
            Assert.False(text.Contains(iin, StringComparison.Ordinal), $"IIN {iin[..4]}… in clear in {where}");
            Assert.False(Encoding.Unicode.GetString(content).Contains(iin, StringComparison.Ordinal), $"IIN {iin[..4]}… (UTF-16) in {where}");
        }
    }

    private static async Task RetryAsync(Func<Task> call)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
        }
    }

    private static CreateMeterReadingRequest Renewed(CreateMeterReadingRequest request)
    {
        var renewed = request.Clone();
        renewed.RequestId = Guid.NewGuid().ToString();
        return renewed;
    }

    private int? StateOf(string requestId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM submissions WHERE request_id = $r";
        command.Parameters.AddWithValue("$r", requestId.ToLowerInvariant());
        return command.ExecuteScalar() is long state ? (int)state : null;
    }

    private Task<TestGateway> StartGatewayAsync(GatewaySettings? more = null, int? maxConcurrentCalls = null, IReadOnlyList<string>? katoCodes = null)
    {
        var settings = new GatewaySettings()
            .WithSubmissions(s => s.Sqlite(DatabasePath).RetryDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)).PollInterval(TimeSpan.FromMilliseconds(100)));
        if (maxConcurrentCalls is { } calls)
        {
            settings = settings.WithProvider(p => p.Id(Power.ProviderId).Domain("utilities").Endpoint(Power.Address).KatoCodes(katoCodes ?? []).MaxConcurrentCalls(calls));
            return TestGateway.StartAsync([], settings.With(more));
        }

        return TestGateway.StartAsync([new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, katoCodes ?? [])], settings.With(more));
    }
}
