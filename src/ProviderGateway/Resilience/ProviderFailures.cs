using Grpc.Core;

namespace ProviderGateway.Resilience;

/// <summary>Which provider answers are failures (they count against its health) and which may be retried.</summary>
public static class ProviderFailures
{
    /// <summary>
    /// True when the code says the provider failed, rather than answering about the request: these open the
    /// circuit breaker and count in passive health. NOT_FOUND, INVALID_ARGUMENT and the like are answers.
    /// PERMISSION_DENIED and UNAUTHENTICATED are refusals, not failures: a provider that refuses one client (or
    /// the gateway's credentials) is up, and opening its circuit would refuse every other client too.
    /// </summary>
    public static bool IsFailure(StatusCode code) => code is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.DataLoss or StatusCode.ResourceExhausted;

    /// <summary>
    /// True when a failed attempt may be retried: UNAVAILABLE, which gRPC defines as transient (the call did not
    /// reach, or was not processed by, the provider). A timed-out call is not retried: its time is spent.
    /// </summary>
    public static bool IsTransient(StatusCode code) => code == StatusCode.Unavailable;
}
