using System.Text.RegularExpressions;

namespace ProviderGateway.TestSupport.Processes;

/// <summary>The lines the programs the tests start print once they serve.</summary>
public static partial class ReadyLines
{
    /// <summary>redis-server accepts connections.</summary>
    public static Regex Redis { get; } = RedisLine();

    /// <summary>A PostgreSQL server accepts connections.</summary>
    public static Regex Postgres { get; } = PostgresLine();

    /// <summary>A demo provider (ProviderGateway.DemoProviders.Standalone) listens; group <c>address</c> is its base address.</summary>
    public static Regex DemoProvider { get; } = DemoProviderLine();

    /// <summary>The gateway's last start-up line (its log then holds everything start-up writes).</summary>
    public static Regex Gateway { get; } = GatewayLine();

    /// <summary>The gateway's line naming its gRPC endpoint; group <c>authority</c> is its host:port.</summary>
    public static Regex GatewayGrpcEndpoint { get; } = GatewayGrpcLine();

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex RedisLine();

    [GeneratedRegex("database system is ready to accept connections")]
    private static partial Regex PostgresLine();

    [GeneratedRegex(@"listening on (?<address>https?://[^\s/]+)", RegexOptions.IgnoreCase)]
    private static partial Regex DemoProviderLine();

    [GeneratedRegex("Try it: ")]
    private static partial Regex GatewayLine();

    [GeneratedRegex(@"serving gRPC \(HTTP/2\) on https?://(?<authority>[^/\s]+)/")]
    private static partial Regex GatewayGrpcLine();
}
