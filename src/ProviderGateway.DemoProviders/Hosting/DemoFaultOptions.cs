using Grpc.Core;

namespace ProviderGateway.DemoProviders;

/// <summary>The faults a demo provider starts with; change them at run time through <see cref="DemoFaults"/>.</summary>
public sealed class DemoFaultOptions
{
    /// <summary>Delay added before answering each call. Defaults to none.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Share of calls, 0 to 1, that fail with <see cref="ErrorCode"/>. Defaults to 0.</summary>
    public double ErrorRate { get; set; }

    /// <summary>The status of the random failures. Defaults to UNAVAILABLE.</summary>
    public StatusCode ErrorCode { get; set; } = StatusCode.Unavailable;

    /// <summary>Accept every call and never answer until the caller gives up. Defaults to false.</summary>
    public bool Hang { get; set; }

    /// <summary>Answer every call UNAVAILABLE ("PROVIDER_DOWN") and report NOT_SERVING on health. Defaults to false.</summary>
    public bool Down { get; set; }

    /// <summary>
    /// Answer every successful write UNAVAILABLE ("WRITE_ANSWER_LOST") after applying it, as if the answer were lost
    /// on the way back. Defaults to false.
    /// </summary>
    public bool LoseWriteAnswers { get; set; }

    /// <summary>Seed of the random failures, for repeatable runs; <c>null</c> (the default) picks one at random.</summary>
    public int? RandomSeed { get; set; }
}
