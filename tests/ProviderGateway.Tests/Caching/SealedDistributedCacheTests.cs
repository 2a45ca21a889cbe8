using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProviderGateway.Caching;

namespace ProviderGateway.Tests.Caching;

public sealed class SealedDistributedCacheTests : IDisposable
{
    private static readonly byte[] Value = Encoding.UTF8.GetBytes("an answer about citizen A");
    private static readonly DistributedCacheEntryOptions Options = new();

    private readonly MemoryDistributedCache _store = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
    private readonly TestMeterFactory _meters = new();
    private readonly MeterListener _listener = new();
    private readonly SealedDistributedCache _cache;
    private long _rejected;

    public SealedDistributedCacheTests()
    {
        _cache = new SealedDistributedCache(_store, new CacheValueProtector(CacheTestSecrets.Secrets()), new CacheMetrics(_meters));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Created.Contains(instrument.Meter) && instrument.Name == "providergateway.cache.values_rejected")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => Interlocked.Add(ref _rejected, measurement));
        _listener.Start();
    }

    [Fact]
    public async Task A_value_round_trips_and_is_stored_sealed()
    {
        await _cache.SetAsync("pg:a:A", Value, Options);

        Assert.Equal(Value, await _cache.GetAsync("pg:a:A"));
        Assert.Equal(Value, _cache.Get("pg:a:A"));
        Assert.NotEqual(Value, await _store.GetAsync("pg:a:A"));
        Assert.Equal(0, Interlocked.Read(ref _rejected));
    }

    [Fact]
    public async Task A_value_copied_onto_another_key_is_a_counted_miss()
    {
        await _cache.SetAsync("pg:a:A", Value, Options);
        await _store.SetAsync("pg:a:B", (await _store.GetAsync("pg:a:A"))!, Options);

        var read = await _cache.GetAsync("pg:a:B");

        Assert.Null(read);
        Assert.Equal(1, Interlocked.Read(ref _rejected));
    }

    [Fact]
    public async Task An_edited_value_is_a_counted_miss_and_an_absent_one_an_uncounted_miss()
    {
        await _cache.SetAsync("pg:a:A", Value, Options);
        var stored = (await _store.GetAsync("pg:a:A"))!;
        stored[^1] ^= 0x01;
        await _store.SetAsync("pg:a:A", stored, Options);

        Assert.Null(_cache.Get("pg:a:A"));
        Assert.Null(await _cache.GetAsync("pg:a:absent"));
        Assert.Equal(1, Interlocked.Read(ref _rejected));
    }

    [Fact]
    public async Task Removal_reaches_the_store()
    {
        await _cache.SetAsync("pg:a:A", Value, Options);

        await _cache.RemoveAsync("pg:a:A");

        Assert.Null(await _store.GetAsync("pg:a:A"));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose() => Created.ForEach(m => m.Dispose());
    }
}
