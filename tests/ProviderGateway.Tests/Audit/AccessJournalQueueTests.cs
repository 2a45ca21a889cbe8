using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Audit;

/// <summary>The journal's queue accounting (no file: the host is not started, so nothing is written).</summary>
public sealed class AccessJournalQueueTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<System.Diagnostics.Metrics.MeterListener> _listeners = [];

    private static AccessRecord Record => new(DateTimeOffset.UnixEpoch, "desk", "op", "purpose", "GetCitizenOverview", "iin", "", [], "OK");

    [Fact]
    public void Under_Refuse_admission_reserves_room_so_an_admitted_calls_record_is_never_dropped()
    {
        using var journal = Journal(JournalFullPolicy.Refuse, capacity: 20, out var dropped);

        var admitted = 0;
        while (journal.Admit())
        {
            admitted++;
        }

        // Refusals fill the room above the refusal mark, and then are dropped...
        for (var i = 0; i < 5; i++)
        {
            journal.AppendRefusal(Record);
        }

        var droppedByRefusals = dropped.Value;
        // ...but every admitted call's record still goes in, after the queue is "full".
        for (var i = 0; i < admitted; i++)
        {
            journal.Append(Record);
        }

        Assert.Equal(18, admitted); // 90% of 20
        Assert.Equal(3, droppedByRefusals);
        Assert.Equal(3, dropped.Value);
        Assert.False(journal.Admit());
    }

    [Fact]
    public void Under_Drop_calls_are_always_admitted_and_records_beyond_the_capacity_are_dropped_and_counted()
    {
        using var journal = Journal(JournalFullPolicy.Drop, capacity: 16, out var dropped);

        var admittedAll = Enumerable.Range(0, 40).All(_ => journal.Admit());
        for (var i = 0; i < 20; i++)
        {
            journal.Append(Record);
        }

        Assert.True(admittedAll);
        Assert.Equal(4, dropped.Value);
    }

    [Fact]
    public void The_queue_length_gauge_counts_the_records_waiting_for_the_writer()
    {
        using var journal = Journal(JournalFullPolicy.Drop, capacity: 16, out _);
        // Every journal of the test process publishes this gauge (other tests run in parallel): this one's is among them.
        var lengths = new System.Collections.Concurrent.ConcurrentBag<long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AccessJournal.MeterName && instrument.Name == "providergateway.journal.queue_length")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => lengths.Add(value));
        listener.Start();

        for (var i = 0; i < 5; i++)
        {
            journal.Append(Record);
        }

        listener.RecordObservableInstruments();
        Assert.Contains(5L, lengths);
    }

    public void Dispose()
    {
        _listeners.ForEach(l => l.Dispose());
        _services.Dispose();
    }

    private AccessJournal Journal(JournalFullPolicy policy, int capacity, out StrongBox<long> dropped)
    {
        var options = Options.Create(new SecurityOptions { Journal = new JournalOptions { QueueCapacity = capacity, WhenFull = policy } });
        var journal = new AccessJournal(options, NullLogger<AccessJournal>.Instance, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System, []);
        var box = new StrongBox<long>();
        var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AccessJournal.MeterName && instrument.Name == "providergateway.journal.records_dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => box.Value += value);
        listener.Start();
        _listeners.Add(listener);
        dropped = box;
        return journal;
    }
}
