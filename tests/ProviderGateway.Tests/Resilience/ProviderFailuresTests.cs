using Grpc.Core;
using ProviderGateway.Resilience;

namespace ProviderGateway.Tests.Resilience;

public sealed class ProviderFailuresTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, true, true)]
    [InlineData(StatusCode.DeadlineExceeded, true, false)]
    [InlineData(StatusCode.Internal, true, false)]
    [InlineData(StatusCode.ResourceExhausted, true, false)]
    [InlineData(StatusCode.NotFound, false, false)]
    [InlineData(StatusCode.InvalidArgument, false, false)]
    [InlineData(StatusCode.AlreadyExists, false, false)]
    [InlineData(StatusCode.FailedPrecondition, false, false)]
    [InlineData(StatusCode.PermissionDenied, false, false)]
    [InlineData(StatusCode.Unauthenticated, false, false)]
    public void Only_provider_failures_count_and_only_UNAVAILABLE_is_retried(StatusCode code, bool failure, bool transient)
    {
        Assert.Equal(failure, ProviderFailures.IsFailure(code));
        Assert.Equal(transient, ProviderFailures.IsTransient(code));
    }
}
