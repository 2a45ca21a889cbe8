using Google.Protobuf;
using Google.Protobuf.Reflection;
using ProviderGateway.Caching.Wire;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.Contracts.Utilities.V1;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace ProviderGateway.Caching;

/// <summary>
/// FusionCache's serializer for Redis: provider answers stay in protobuf binary (as the provider sent
/// them, no JSON round trip), inside a protobuf envelope carrying FusionCache's own entry data and the kind of
/// value (an answer or a number), checked on reading. Sealing, bound to the key, is done below it by
/// <see cref="SealedDistributedCache"/>, which sees the key. Reads any response message of the provider contracts.
/// </summary>
public sealed class ProtobufCacheSerializer : IFusionCacheSerializer
{
    private static readonly TypeRegistry ResponseTypes = TypeRegistry.FromFiles(
        UtilitiesReflection.Descriptor,
        LandRegistryReflection.Descriptor,
        SocialServicesReflection.Descriptor);

    /// <inheritdoc />
    public byte[] Serialize<T>(T? obj)
    {
        var entry = obj switch
        {
            FusionCacheDistributedEntry<CachedAnswer> answer => Envelope(answer, e => e.Answer = ToWire(answer.Value)),
            FusionCacheDistributedEntry<long> number => Envelope(number, e => e.Number = number.Value),
            _ => throw new NotSupportedException($"The gateway's cache stores provider answers only, not {typeof(T).Name}."),
        };
        return entry.ToByteArray();
    }

    /// <summary>
    /// Reads an entry; an entry this gateway cannot read (of another kind, corrupt, or of an older format) counts
    /// as absent, so that the next answer replaces it, instead of failing every read of that key.
    /// </summary>
    public T? Deserialize<T>(byte[] data)
    {
        try
        {
            return Read<T>(data);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidProtocolBufferException)
        {
            return default;
        }
    }

    private T Read<T>(byte[] data)
    {
        var entry = DistributedEntry.Parser.ParseFrom(data);
        object result = typeof(T) switch
        {
            var t when t == typeof(FusionCacheDistributedEntry<CachedAnswer>) && entry.ValueCase == DistributedEntry.ValueOneofCase.Answer =>
                FromEnvelope(entry, FromWire(entry.Answer)),
            var t when t == typeof(FusionCacheDistributedEntry<long>) && entry.ValueCase == DistributedEntry.ValueOneofCase.Number =>
                FromEnvelope(entry, entry.Number),
            _ => throw new InvalidDataException($"The cache entry holds {entry.ValueCase}, not {typeof(T).Name}."),
        };
        return (T)result;
    }

    /// <inheritdoc />
    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    /// <inheritdoc />
    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));

    private static DistributedEntry Envelope<TValue>(FusionCacheDistributedEntry<TValue> source, Action<DistributedEntry> setValue)
    {
        var entry = new DistributedEntry
        {
            Timestamp = source.Timestamp,
            LogicalExpirationTimestamp = source.LogicalExpirationTimestamp,
        };
        if (source.Tags is { } tags)
        {
            entry.Tags.AddRange(tags);
        }

        if (source.Metadata is { } metadata)
        {
            entry.Metadata = new EntryMetadata { IsStale = metadata.IsStale, Etag = metadata.ETag ?? "" };
            if (metadata.EagerExpirationTimestamp is { } eager)
            {
                entry.Metadata.EagerExpirationTimestamp = eager;
            }

            if (metadata.LastModifiedTimestamp is { } modified)
            {
                entry.Metadata.LastModifiedTimestamp = modified;
            }

            if (metadata.Size is { } size)
            {
                entry.Metadata.Size = size;
            }

            if (metadata.Priority is { } priority)
            {
                entry.Metadata.Priority = priority;
            }
        }

        setValue(entry);
        return entry;
    }

    private static FusionCacheDistributedEntry<TValue> FromEnvelope<TValue>(DistributedEntry entry, TValue value)
    {
        var metadata = entry.Metadata is { } m
            ? new FusionCacheEntryMetadata(
                m.IsStale,
                m.HasEagerExpirationTimestamp ? m.EagerExpirationTimestamp : null,
                m.Etag.Length > 0 ? m.Etag : null,
                m.HasLastModifiedTimestamp ? m.LastModifiedTimestamp : null,
                m.HasSize ? m.Size : null,
                m.HasPriority ? (byte)m.Priority : null)
            : null;
        return new FusionCacheDistributedEntry<TValue>(value, entry.Timestamp, entry.LogicalExpirationTimestamp, [.. entry.Tags], metadata!);
    }

    private static StoredAnswer ToWire(CachedAnswer answer)
    {
        // Refusals are never written (ProviderAnswerCache skips every write of them): this guards the rule.
        if (answer.Refusal is not null)
        {
            throw new NotSupportedException("A provider's refusal is never stored.");
        }

        return new StoredAnswer
        {
            ResponseType = answer.Response?.Descriptor.FullName ?? "",
            Response = answer.Response?.ToByteString() ?? ByteString.Empty,
            DefinitiveError = answer.DefinitiveError?.ToByteString() ?? ByteString.Empty,
            FetchTimeUnixMicros = (answer.FetchTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond,
        };
    }

    private static CachedAnswer FromWire(StoredAnswer stored)
    {
        var fetchTime = DateTimeOffset.UnixEpoch.AddTicks(stored.FetchTimeUnixMicros * TimeSpan.TicksPerMicrosecond);
        if (stored.ResponseType.Length == 0)
        {
            return CachedAnswer.OfError(Google.Rpc.Status.Parser.ParseFrom(stored.DefinitiveError), fetchTime);
        }

        var descriptor = ResponseTypes.Find(stored.ResponseType)
            ?? throw new InvalidDataException($"The cached answer is a {stored.ResponseType}, which no provider contract of this gateway defines.");
        return CachedAnswer.Of(descriptor.Parser.ParseFrom(stored.Response), fetchTime);
    }
}
