using System.Security.Cryptography;
using System.Text;

namespace ProviderGateway.Bench.Load;

/// <summary>
/// The benchmark's desk client: its API key, operator and purpose go on every call (the gateway requires them;
/// a provider called directly ignores them), so every gateway figure includes authentication and the journal.
/// </summary>
public static class BenchClient
{
    /// <summary>The client's id in the gateway's configuration.</summary>
    public const string Id = "benchmark-desk";

    /// <summary>The client's API key.</summary>
    public const string ApiKey = "benchmark-desk-key-not-a-secret-0123456789";

    /// <summary>The metadata sent on every call, as <c>name: value</c>.</summary>
    public static readonly string[] Headers = [$"x-api-key: {ApiKey}", "x-operator-id: bench-operator", "x-access-purpose: benchmark"];

    /// <summary>The gateway settings (<c>Key=Value</c>) of the client, with no practical rate limit.</summary>
    public static IEnumerable<string> Settings() =>
    [
        $"Gateway:Security:Clients:0:Id={Id}",
        $"Gateway:Security:Clients:0:ApiKeySha256:0={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)))}",
        "Gateway:Security:Clients:0:Permissions:0=*",
        "Gateway:Security:Clients:0:Districts:0=*",
        "Gateway:Security:Clients:0:RateLimit:CallsPerSecond=1000000",
        "Gateway:Security:Clients:0:RateLimit:Burst=1000000",
    ];
}
