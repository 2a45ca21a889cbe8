using Grpc.Core;
using Microsoft.Data.Sqlite;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>
/// Durable submissions end to end, on a real gateway with a SQLite store and a real demo provider: a write to a provider
/// that is down gets a receipt and is delivered once the provider is back, exactly once; a definitive refusal is answered
/// at once; what the relay cannot deliver ends NOT_DELIVERED with the provider's details; cancelling; another client's
/// submissions are NOT_FOUND.
/// </summary>
public sealed class SubmissionDeliveryTests() : SubmissionTestBase("pg-delivery-")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_write_to_a_down_provider_gets_a_receipt_and_is_delivered_exactly_once_when_the_provider_is_back()
    {
        await using var gateway = await StartGatewayAsync();
        Power.Faults.Down = true;
        var write = MeterReadings.For(Power.ProviderId).First();

        var answer = await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting());
        var sync = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(MeterReadings.For(Power.ProviderId).Skip(1).First().Request).ResponseAsync);

        // The receipt: stored, the provider's failure in the source, no reading.
        Assert.Null(answer.Reading);
        Assert.Equal((int)StatusCode.Unavailable, answer.Source.Status.Code);
        var receipt = answer.Submission;
        Assert.Equal(write.Request.RequestId, receipt.RequestId);
        Assert.Equal(Power.ProviderId, receipt.ProviderId);
        Assert.Equal("CreateMeterReading", receipt.Method);
        Assert.Equal(SubmissionState.OnDelivery, receipt.State);
        Assert.Equal(1, receipt.Attempts);
        Assert.Equal((int)StatusCode.Unavailable, receipt.LastProviderStatus.Code);
        Assert.NotNull(receipt.NextAttemptTime);
        Assert.Equal(StatusCode.Unavailable, sync.StatusCode);

        // The same request again is the same receipt, not a second submission.
        var again = await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting());
        Assert.Equal(receipt.SubmissionId, again.Submission.SubmissionId);

        Power.Faults.Down = false;
        var delivered = await WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered);

        Assert.Equal(write.Request.ValueMilliUnits, delivered.Reading.ValueMilliUnits);
        Assert.Equal((int)StatusCode.OK, delivered.Submission.LastProviderStatus.Code);
        Assert.NotNull(delivered.Submission.FinishTime);
        Assert.Equal(1, Power.Writes.Applied(write.Request.RequestId));
        // Journaled: the acceptance (the desk's call) and the delivery (the relay's attempt) name the submission.
        // The journal is written in the background: its line of the delivery comes shortly after.
        List<System.Text.Json.JsonElement> lines = [];
        await WaitForAsync(
            () =>
            {
                lines = [.. JournalFile.Entries(gateway.JournalPath).Where(e => e.TryGetProperty("submission", out var s) && s.GetString() == receipt.SubmissionId && e.GetProperty("method").GetString() == "CreateMeterReading")];
                return lines.Any(e => e.GetProperty("providers")[0].GetProperty("origin").GetString() == "DELIVERY" && e.GetProperty("result").GetString() == "OK");
            },
            "the journal's line of the delivery");
        Assert.Contains(lines, e => e.GetProperty("method").GetString() == "CreateMeterReading" && e.GetProperty("subject").GetString()!.Length == 64);
        Assert.Contains(lines, e => e.GetProperty("providers")[0].GetProperty("origin").GetString() == "" && e.GetProperty("result").GetString() == "OK");
    }

    [Fact]
    public async Task A_write_of_a_citizen_with_an_undelivered_submission_queues_behind_it_even_when_the_provider_is_back()
    {
        // Retries far apart: the first submission is still waiting when the second write comes.
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithSubmissions(s => s.RetryDelays(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6))));
        var first = MeterReadings.For(Power.ProviderId).First();
        var second = first.Request.Clone();
        second.RequestId = Guid.NewGuid().ToString();
        second.ValueMilliUnits += 1000;
        second.DeliveryMode = DeliveryMode.AcceptWhenUnavailable;
        Power.Faults.Down = true;
        var earlier = (await gateway.FrontDesk.CreateMeterReadingAsync(first.Accepting())).Submission;

        Power.Faults.Down = false;
        var later = await gateway.FrontDesk.CreateMeterReadingAsync(second);
        var laterDone = await WaitForStateAsync(gateway.FrontDesk, later.Submission.SubmissionId, SubmissionState.Delivered);
        var earlierDone = await WaitForStateAsync(gateway.FrontDesk, earlier.SubmissionId, SubmissionState.Delivered);

        // Not sent at once: stored behind the first (ACCEPTED, no attempt), and delivered after it.
        Assert.Equal(SubmissionState.Accepted, later.Submission.State);
        Assert.Equal(0, later.Submission.Attempts);
        Assert.Equal("SUBMISSION_QUEUED_BEHIND", later.Source.Status.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
        Assert.True(earlierDone.Submission.FinishTime.ToDateTimeOffset() <= laterDone.Submission.FinishTime.ToDateTimeOffset());
        Assert.Equal(second.ValueMilliUnits, laterDone.Reading.ValueMilliUnits);
        Assert.Equal(1, Power.Writes.Applied(second.RequestId));
    }

    [Fact]
    public async Task A_definitive_refusal_at_the_first_attempt_is_answered_at_once_and_nothing_is_stored()
    {
        await using var gateway = await StartGatewayAsync();
        var write = MeterReadings.For(Power.ProviderId).First();
        var below = write.Request.Clone();
        below.ValueMilliUnits = 0;
        below.RequestId = Guid.NewGuid().ToString();
        below.DeliveryMode = DeliveryMode.AcceptWhenUnavailable;

        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(below).ResponseAsync);
        var listed = await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest());

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Empty(listed.Submissions);
    }

    [Fact]
    public async Task A_submission_the_provider_refuses_ends_NOT_DELIVERED_with_its_details_and_does_not_hold_back_the_next_of_the_citizen()
    {
        await using var gateway = await StartGatewayAsync();
        Power.Faults.Down = true;
        var writes = MeterReadings.For(Power.ProviderId).Where(w => w.Request.Iin == MeterReadings.For(Power.ProviderId).First().Request.Iin).Take(2).ToList();
        var unknownMeter = writes[0].Accepting();
        unknownMeter.MeterId = "NO-SUCH-METER";

        var first = (await gateway.FrontDesk.CreateMeterReadingAsync(unknownMeter)).Submission;
        var second = (await gateway.FrontDesk.CreateMeterReadingAsync(writes[1].Accepting())).Submission;
        Power.Faults.Down = false;
        var refused = await WaitForStateAsync(gateway.FrontDesk, first.SubmissionId, SubmissionState.NotDelivered);
        var delivered = await WaitForStateAsync(gateway.FrontDesk, second.SubmissionId, SubmissionState.Delivered);

        Assert.Equal((int)StatusCode.NotFound, refused.Submission.LastProviderStatus.Code);
        Assert.Contains(refused.Submission.LastProviderStatus.Details, d => d.Is(Google.Rpc.ErrorInfo.Descriptor) && d.Unpack<Google.Rpc.ErrorInfo>().Metadata["provider_id"] == Power.ProviderId);
        Assert.Equal(GetSubmissionResponse.ResultOneofCase.None, refused.ResultCase);
        Assert.NotNull(delivered.Reading);
        Assert.Equal(0, Power.Writes.Applied(unknownMeter.RequestId));
        Assert.Equal(1, Power.Writes.Applied(writes[1].Request.RequestId));
        var notDelivered = await gateway.FrontDesk.ListSubmissionsAsync(new ListSubmissionsRequest { State = SubmissionState.NotDelivered });
        Assert.Equal(first.SubmissionId, Assert.Single(notDelivered.Submissions).SubmissionId);
    }

    [Fact]
    public async Task Cancel_stops_a_submission_never_sent_and_the_provider_never_sees_it_but_is_refused_after_delivery()
    {
        // The circuit opens after two failures and stays open long enough: the write is refused before the wire (ACCEPTED).
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 2, failureRatio: 0.5, breakDuration: TimeSpan.FromSeconds(3))));
        Power.Faults.Down = true;
        var writes = MeterReadings.For(Power.ProviderId).Take(3).ToList();
        foreach (var opener in writes.Take(2))
        {
            await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(opener.Request).ResponseAsync);
        }

        var accepted = await gateway.FrontDesk.CreateMeterReadingAsync(writes[2].Accepting());
        Assert.Equal(SubmissionState.Accepted, accepted.Submission.State);
        Assert.Equal(0, accepted.Submission.Attempts);
        var stopped = await gateway.FrontDesk.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = accepted.Submission.SubmissionId });
        Assert.Equal(SubmissionState.DeliveryStopped, stopped.Submission.State);

        // A second submission, delivered once the provider is back; then too late to cancel.
        Power.Faults.Down = false;
        var later = MeterReadings.For(Power.ProviderId).Skip(3).First();
        Power.Faults.Down = true;
        var queued = (await gateway.FrontDesk.CreateMeterReadingAsync(later.Accepting())).Submission;
        Power.Faults.Down = false;
        await WaitForStateAsync(gateway.FrontDesk, queued.SubmissionId, SubmissionState.Delivered);
        var tooLate = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = queued.SubmissionId }).ResponseAsync);

        Assert.Equal(0, Power.Writes.Received(writes[2].Request.RequestId));
        Assert.Equal(SubmissionState.DeliveryStopped, (await gateway.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = accepted.Submission.SubmissionId })).Submission.State);
        Assert.Equal(StatusCode.FailedPrecondition, tooLate.StatusCode);
        Assert.Equal("SUBMISSION_NOT_CANCELLABLE", Reason(tooLate));
    }

    [Fact]
    public async Task Another_clients_submission_is_NOT_FOUND_to_get_list_and_cancel()
    {
        const string OtherKey = "other-desk-key-0123456789abcdef";
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithClient(c => c.Id("other-desk").ApiKey(OtherKey).Permissions("*").Districts("*").Unlimited()));
        Power.Faults.Down = true;
        var mine = (await gateway.FrontDesk.CreateMeterReadingAsync(MeterReadings.For(Power.ProviderId).First().Accepting())).Submission;
        var other = gateway.ClientWith(OtherKey, TestSecrets.OperatorId, TestSecrets.Purpose);

        var get = await Assert.ThrowsAsync<RpcException>(() => other.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = mine.SubmissionId }).ResponseAsync);
        var cancel = await Assert.ThrowsAsync<RpcException>(() => other.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = mine.SubmissionId }).ResponseAsync);
        var list = await other.ListSubmissionsAsync(new ListSubmissionsRequest());
        var malformed = await Assert.ThrowsAsync<RpcException>(() => other.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = "not-a-uuid" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Equal("SUBMISSION_NOT_FOUND", Reason(get));
        Assert.Equal(StatusCode.NotFound, cancel.StatusCode);
        Assert.Empty(list.Submissions);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal(SubmissionState.OnDelivery, (await gateway.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = mine.SubmissionId })).Submission.State);
    }

    [Fact]
    public async Task A_delivery_whose_answer_is_lost_is_attempted_again_and_the_provider_applies_it_once()
    {
        // The breaker kept closed: every attempt reaches the provider.
        await using var gateway = await StartGatewayAsync(new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 1_000_000)));
        Power.Faults.Down = true;
        var write = MeterReadings.For(Power.ProviderId).First();
        var receipt = (await gateway.FrontDesk.CreateMeterReadingAsync(write.Accepting())).Submission;

        // Back, but every answer to a write is lost after it was applied: the relay sees UNAVAILABLE and tries again.
        Power.Faults.LoseWriteAnswers = true;
        Power.Faults.Down = false;
        await WaitForAsync(() => Power.Writes.Received(write.Request.RequestId) >= 3, "three deliveries whose answers were lost");
        var whileLost = await gateway.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = receipt.SubmissionId });
        Power.Faults.LoseWriteAnswers = false;
        var delivered = await WaitForStateAsync(gateway.FrontDesk, receipt.SubmissionId, SubmissionState.Delivered);

        Assert.Equal(SubmissionState.OnDelivery, whileLost.Submission.State);
        Assert.Equal(1, Power.Writes.Applied(write.Request.RequestId));
        Assert.Equal(write.Request.ValueMilliUnits, delivered.Reading.ValueMilliUnits);
        // An attempt of the relay may be several calls (the pipeline retries an idempotent write within its deadline).
        Assert.True(delivered.Submission.Attempts >= 2, $"{delivered.Submission.Attempts} attempts");
    }

    [Fact]
    public async Task After_a_seal_key_rotation_the_earlier_key_opens_what_it_sealed_and_without_it_the_answer_is_DATA_LOSS_not_INTERNAL()
    {
        const string RotatedKey = "cm90YXRlZC1zZWFsLWtleS1vZi10aGUtdGVzdHMtMzI=";
        var first = MeterReadings.For(Power.ProviderId).First();
        var second = MeterReadings.For(Power.ProviderId).Skip(1).First();
        string delivered, pending;
        await using (var before = await StartGatewayAsync())
        {
            // One delivered (its answer sealed under key 1), one still waiting (its request sealed under key 1).
            Power.Faults.Down = true;
            delivered = (await before.FrontDesk.CreateMeterReadingAsync(first.Accepting())).Submission.SubmissionId;
            Power.Faults.Down = false;
            await WaitForStateAsync(before.FrontDesk, delivered, SubmissionState.Delivered);
            Power.Faults.Down = true;
            pending = (await before.FrontDesk.CreateMeterReadingAsync(second.Accepting())).Submission.SubmissionId;
        }

        await using (var rotated = await StartGatewayAsync(new GatewaySettings().WithSubmissions(s => s.SealKey(RotatedKey, 2).PreviousSealKey(1, TestSecrets.SubmissionSealKey))))
        {
            var answer = await rotated.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = delivered });
            Power.Faults.Down = false;
            var deliveredAfter = await WaitForStateAsync(rotated.FrontDesk, pending, SubmissionState.Delivered);

            Assert.Equal(first.Request.ValueMilliUnits, answer.Reading.ValueMilliUnits);
            Assert.Equal(second.Request.ValueMilliUnits, deliveredAfter.Reading.ValueMilliUnits);
            Assert.Equal(1, Power.Writes.Applied(second.Request.RequestId));
        }

        await using var keyGone = await StartGatewayAsync(new GatewaySettings().WithSubmissions(s => s.SealKey(RotatedKey, 2)));
        var lost = await Assert.ThrowsAsync<RpcException>(() => keyGone.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = delivered }).ResponseAsync);
        var stillReadable = await keyGone.FrontDesk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = pending });

        Assert.Equal(StatusCode.DataLoss, lost.StatusCode);
        var info = lost.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!;
        Assert.Equal(("SUBMISSION_ANSWER_UNREADABLE", delivered, "1"), (info.Reason, info.Metadata["submission_id"], info.Metadata["key_id"]));
        Assert.DoesNotContain(TestSecrets.SubmissionSealKey, lost.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(second.Request.ValueMilliUnits, stillReadable.Reading.ValueMilliUnits);
    }

    [Fact]
    public async Task A_gateway_without_a_store_refuses_a_write_it_cannot_deliver_and_answers_one_it_can()
    {
        await using var gateway = await TestGateway.StartAsync([new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, [])]);
        var writes = MeterReadings.For(Power.ProviderId).Take(2).ToList();

        var taken = await gateway.FrontDesk.CreateMeterReadingAsync(writes[0].Accepting());
        Power.Faults.Down = true;
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.CreateMeterReadingAsync(writes[1].Accepting()).ResponseAsync);

        Assert.NotNull(taken.Reading);
        Assert.Null(taken.Submission);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("SUBMISSION_STORE_UNAVAILABLE", Reason(refused));
    }

    private static string? Reason(RpcException error) => error.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;

    private Task<TestGateway> StartGatewayAsync(GatewaySettings? more = null) =>
        TestGateway.StartAsync(
            [new ConfiguredProvider(Power.ProviderId, "utilities", Power.Address, [])],
            new GatewaySettings()
                .WithSubmissions(s => s.Sqlite(DatabasePath).RetryDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)).PollInterval(TimeSpan.FromMilliseconds(100)))
                .With(more));

    /// <summary>Waits until <paramref name="condition"/> holds (the relay and the journal work in the background).</summary>
    internal static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited {Patience.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Asks for the submission until it is in <paramref name="state"/> (the relay works in the background).</summary>
    internal static async Task<GetSubmissionResponse> WaitForStateAsync(FrontDeskService.FrontDeskServiceClient desk, string submissionId, SubmissionState state)
    {
        var until = DateTime.UtcNow + Patience;
        GetSubmissionResponse current;
        do
        {
            current = await desk.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submissionId });
            if (current.Submission.State == state)
            {
                return current;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < until);

        throw new Xunit.Sdk.XunitException($"Submission {submissionId} is {current.Submission.State} after {Patience.TotalSeconds:0} s, not {state}: {current.Submission}");
    }
}

/// <summary>Valid meter readings of the seed, each with a new request_id and a value above the meter's last.</summary>
internal static class MeterReadings
{
    /// <summary>One write per meter of <paramref name="providerId"/>'s open accounts, endlessly, each above the one before on its meter.</summary>
    public static IEnumerable<MeterReadingWrite> For(string providerId)
    {
        var meters = DemoData.Seed.UtilityAccounts
            .Where(a => a.ProviderId == providerId && a.State != ProviderGateway.Contracts.Utilities.V1.AccountState.Closed && a.Meters.Count > 0)
            .SelectMany(a => a.Meters.Select(m => (Account: a, Meter: m)))
            .ToList();
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));
        for (var round = 1; ; round++)
        {
            foreach (var (account, meter) in meters)
            {
                yield return new MeterReadingWrite(new CreateMeterReadingRequest
                {
                    ProviderId = providerId,
                    RequestId = Guid.NewGuid().ToString(),
                    Iin = account.Iin,
                    AccountNumber = account.AccountNumber,
                    MeterId = meter.MeterId,
                    ValueMilliUnits = meter.LastReadingMilliUnits + (round * 1000L),
                    ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
                });
            }
        }
    }
}

/// <summary>A meter reading to write.</summary>
/// <param name="Request">The SYNC request.</param>
internal sealed record MeterReadingWrite(CreateMeterReadingRequest Request)
{
    /// <summary>The same request in DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE.</summary>
    public CreateMeterReadingRequest Accepting()
    {
        var request = Request.Clone();
        request.DeliveryMode = DeliveryMode.AcceptWhenUnavailable;
        return request;
    }
}
