using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// A demo provider that authenticates its callers by OAuth2 bearer tokens from a <see cref="DemoTokenServer"/>: every gRPC
/// call (health and reflection included) without a token the server issued, unexpired, unrevoked and with the required
/// scope is refused UNAUTHENTICATED, trailers-only, before any service runs. Refusals of contract calls are counted
/// (<see cref="Refused"/>; not those of health probes, which come on the gateway's own schedule).
/// </summary>
internal sealed class DemoBearerTokenRequirement(DemoTokenIssuer tokens, string? requiredScope)
{
    private long _refused;

    /// <summary>Contract calls (not health or reflection) refused for a missing, unknown, expired or revoked token.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Adds the check in front of the endpoints.</summary>
    public void Apply(WebApplication app) =>
        DemoCallerCheck.Require(
            app,
            Presented,
            context =>
            {
                if (!(context.Request.Path.Value ?? "").StartsWith("/grpc.", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _refused);
                }
            },
            "A valid bearer token is required.",
            "Bearer error=\"invalid_token\"");

    private bool Presented(HttpContext context)
    {
        var values = context.Request.Headers.Authorization;
        return values.Count == 1 && values[0] is { } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && tokens.Accepts(header["Bearer ".Length..].Trim(), requiredScope);
    }
}
