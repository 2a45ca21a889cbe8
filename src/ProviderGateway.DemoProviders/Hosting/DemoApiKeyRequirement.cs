using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// A demo provider that authenticates its callers by a static API key, as many provider systems do: every gRPC call
/// (health and reflection included) without the key in its header is refused UNAUTHENTICATED, trailers-only, before
/// any service runs. Its refusals are counted (<see cref="Refused"/>) so tests can tell a refusal from a call that never came.
/// </summary>
internal sealed class DemoApiKeyRequirement(string header, string key)
{
    private readonly byte[] _key = Encoding.ASCII.GetBytes(key);
    private long _refused;

    /// <summary>Calls refused for a missing or wrong key.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Adds the check in front of the endpoints.</summary>
    public void Apply(WebApplication app) =>
        DemoCallerCheck.Require(app, Presented, _ => Interlocked.Increment(ref _refused), $"A valid API key in '{header}' is required.");

    private bool Presented(HttpContext context)
    {
        var values = context.Request.Headers[header];
        return values.Count == 1 && values[0] is { } presented
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), _key);
    }
}
