using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ProviderGateway.Configuration;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// ASP.NET Core's rate limiter, one token bucket per client, applied to every front-desk call. A call over the limit is answered at once, unread, with gRPC
/// RESOURCE_EXHAUSTED, an ErrorInfo (CLIENT_RATE_LIMITED) and a RetryInfo saying when a call will pass, and journaled.
/// </summary>
public static class ClientRateLimiting
{
    /// <summary>Adds the limiter (global: it sees every request, and limits the front-desk calls of each client) and its refusal.</summary>
    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            // Global rather than an endpoint policy: a front-desk request is limited whatever endpoint routing found for
            // it (a mis-spelt path is counted against its client before it is refused).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                FrontDeskCalls.Of(http)?.Client is { } client
                    ? RateLimitPartition.GetTokenBucketLimiter(client.Id, _ => Bucket(client.RateLimit))
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var call = FrontDeskCalls.Of(http);
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
                var status = SecurityErrors.RateLimited(call?.Client?.Id ?? "", retryAfter);
                if (call is not null)
                {
                    AccessJournaling.JournalRefusal(http, call, Grpc.Core.StatusCode.ResourceExhausted);
                }

                return new ValueTask(EarlyStatus.WriteAsync(http, status));
            };
        });

    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limit)
    {
        // Refilled ten times a second (or once per call for slow limits), so the rate is smooth, not a burst a second.
        var (period, tokens) = limit.CallsPerSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), (limit.CallsPerSecond + 9) / 10)
            : (TimeSpan.FromSeconds(1.0 / limit.CallsPerSecond), 1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
