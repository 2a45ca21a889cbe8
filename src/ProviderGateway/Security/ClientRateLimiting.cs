using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ProviderGateway.Configuration;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// ASP.NET Core's rate limiter, one token bucket per client, applied to the front-desk service. A call over the limit is answered at once, unread, with gRPC
/// RESOURCE_EXHAUSTED, an ErrorInfo (CLIENT_RATE_LIMITED) and a RetryInfo saying when a call will pass.
/// </summary>
public static class ClientRateLimiting
{
    /// <summary>The policy's name, required by the front-desk endpoints.</summary>
    public const string PolicyName = "per-client";

    /// <summary>Adds the policy and the gRPC rejection.</summary>
    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(PolicyName, http =>
            {
                // Unauthenticated calls never get here (ClientAuthentication answers them first).
                var client = http.RequestServices.GetRequiredService<GatewayClients>().Of(http.User);
                return client is not null
                    ? RateLimitPartition.GetTokenBucketLimiter(client.Id, _ => Bucket(client.RateLimit))
                    : RateLimitPartition.GetNoLimiter("");
            });
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
                var status = SecurityErrors.RateLimited(http.RequestServices.GetRequiredService<GatewayClients>().Of(http.User)?.Id ?? "", retryAfter);
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
