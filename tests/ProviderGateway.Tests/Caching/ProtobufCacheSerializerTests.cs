using Google.Protobuf.WellKnownTypes;
using ProviderGateway.Caching;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.Utilities.V1;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;

namespace ProviderGateway.Tests.Caching;

public sealed class ProtobufCacheSerializerTests
{
    private readonly ProtobufCacheSerializer _serializer = new();

    [Fact]
    public void A_provider_answer_round_trips_with_FusionCache_entry_data()
    {
        var response = new GetAccountBalanceResponse
        {
            Balance = new AccountBalance { AccountNumber = "AP-1", Balance = new Money { MinorUnits = 1_250_050, CurrencyCode = "KZT" }, AsOfTime = Timestamp.FromDateTime(DateTime.UtcNow) },
        };
        var fetched = new DateTimeOffset(2026, 11, 27, 10, 30, 15, 123, 456, TimeSpan.Zero);
        var entry = new FusionCacheDistributedEntry<CachedAnswer>(
            CachedAnswer.Of(response, fetched), 638_999_000_000_000_000, 639_000_000_000_000_000, ["c:tag-1", "c:tag-2"], new FusionCacheEntryMetadata(true, 638_999_500_000_000_000, "etag", null, 1, 2));

        var copy = _serializer.Deserialize<FusionCacheDistributedEntry<CachedAnswer>>(_serializer.Serialize(entry))!;

        Assert.Equal(response, copy.Value.Response);
        Assert.Equal(fetched, copy.Value.FetchTime);
        Assert.Equal(entry.Timestamp, copy.Timestamp);
        Assert.Equal(entry.LogicalExpirationTimestamp, copy.LogicalExpirationTimestamp);
        Assert.Equal(entry.Tags, copy.Tags);
        Assert.True(copy.Metadata!.IsStale);
        Assert.Equal(638_999_500_000_000_000, copy.Metadata.EagerExpirationTimestamp);
        Assert.Equal("etag", copy.Metadata.ETag);
        Assert.Null(copy.Metadata.LastModifiedTimestamp);
        Assert.Equal(1, copy.Metadata.Size);
        Assert.Equal((byte)2, copy.Metadata.Priority);
    }

    [Fact]
    public void A_definitive_error_and_FusionCache_numbers_round_trip()
    {
        var error = new Google.Rpc.Status { Code = 5, Message = "No such account." };
        var answer = new FusionCacheDistributedEntry<CachedAnswer>(CachedAnswer.OfError(error, DateTimeOffset.UnixEpoch.AddDays(20_000)), 1, 2, [], null!);
        var number = new FusionCacheDistributedEntry<long>(42, 1, 2, [], null!);

        var answerCopy = _serializer.Deserialize<FusionCacheDistributedEntry<CachedAnswer>>(_serializer.Serialize(answer))!;
        var numberCopy = _serializer.Deserialize<FusionCacheDistributedEntry<long>>(_serializer.Serialize(number))!;

        Assert.Equal(error, answerCopy.Value.DefinitiveError);
        Assert.Null(answerCopy.Value.Response);
        Assert.Null(answerCopy.Metadata);
        Assert.Equal(42, numberCopy.Value);
    }

    [Fact]
    public void Anything_but_provider_answers_is_refused()
    {
        Assert.Throws<NotSupportedException>(() => _serializer.Serialize(new FusionCacheDistributedEntry<string>("x", 1, 2, [], null!)));
    }

    [Fact]
    public void An_entry_it_cannot_read_counts_as_absent_so_that_the_next_answer_replaces_it()
    {
        var number = _serializer.Serialize(new FusionCacheDistributedEntry<long>(42, 1, 2, [], null!));

        Assert.Null(_serializer.Deserialize<FusionCacheDistributedEntry<CachedAnswer>>(number));
        Assert.Null(_serializer.Deserialize<FusionCacheDistributedEntry<CachedAnswer>>([0x02, 1, 2, 3]));
    }

    [Fact]
    public void A_refusal_is_never_serialized()
    {
        var refusal = new FusionCacheDistributedEntry<CachedAnswer>(CachedAnswer.OfRefusal(new Google.Rpc.Status { Code = 7 }, DateTimeOffset.UnixEpoch), 1, 2, [], null!);

        Assert.Throws<NotSupportedException>(() => _serializer.Serialize(refusal));
    }
}
