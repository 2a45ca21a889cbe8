using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Providers;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Pipeline;

/// <summary>What one provider call produced: data or a mapped failure, with freshness and latency.</summary>
/// <typeparam name="TResponse">The provider's response message.</typeparam>
public sealed record ProviderOutcome<TResponse>
    where TResponse : class
{
    private static readonly Status Ok = new() { Code = (int)StatusCode.OK };

    /// <summary>The provider called.</summary>
    public required ProviderDescriptor Provider { get; init; }

    /// <summary>The answer; <c>null</c> when the call failed.</summary>
    public TResponse? Response { get; init; }

    /// <summary>The desk-facing status: OK, or the failure mapped by <see cref="Errors.ProviderStatusMapping"/>.</summary>
    public required Status Status { get; init; }

    /// <summary>Live, cached or stale; unspecified when there is no data.</summary>
    public required Freshness Freshness { get; init; }

    /// <summary>When the data was fetched from the provider; <c>null</c> when there is no data.</summary>
    public DateTimeOffset? FetchTime { get; init; }

    /// <summary>Time spent on this provider for this call.</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>True when data came back.</summary>
    public bool HasResponse => Response is not null;

    /// <summary>An outcome with a live answer.</summary>
    public static ProviderOutcome<TResponse> Live(ProviderDescriptor provider, TResponse response, DateTimeOffset fetchTime, TimeSpan latency) => new()
    {
        Provider = provider,
        Response = response,
        Status = Ok,
        Freshness = Freshness.Live,
        FetchTime = fetchTime,
        Latency = latency,
    };

    /// <summary>An outcome with no data.</summary>
    public static ProviderOutcome<TResponse> Failed(ProviderDescriptor provider, Status status, TimeSpan latency) => new()
    {
        Provider = provider,
        Status = status,
        Freshness = Freshness.Unspecified,
        Latency = latency,
    };

    /// <summary>The answer, or the mapped failure thrown as the desk's error.</summary>
    /// <exception cref="RpcException">The mapped failure when there is no answer.</exception>
    public TResponse ResponseOrThrow() => Response ?? throw Status.ToRpcException();

    /// <summary>
    /// The <see cref="SourceStatus"/> reported to the desk, in <paramref name="language"/> (the provider's name, and a
    /// failure's message for people: <see cref="Errors.StatusLocalization"/>); empty for the configured name only.
    /// </summary>
    public SourceStatus ToSourceStatus(string language = "") => new()
    {
        ProviderId = Provider.Id,
        ProviderName = Provider.NameIn(language),
        Domain = Provider.Domain,
        Status = Status.Details.Count == 0 || language.Length == 0 ? Status : LocalizedStatus(language),
        Freshness = Freshness,
        FetchTime = FetchTime is { } fetched ? Timestamp.FromDateTimeOffset(fetched) : null,
        Latency = Duration.FromTimeSpan(Latency),
    };

    private Status LocalizedStatus(string language)
    {
        var provider = Provider;
        return Errors.StatusLocalization.Localized(Status, new(language, id => id == provider.Id ? provider.NameIn(language) : null));
    }
}
