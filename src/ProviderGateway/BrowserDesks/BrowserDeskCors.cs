using Microsoft.AspNetCore.Cors.Infrastructure;
using ProviderGateway.Configuration;
using ProviderGateway.Security;

namespace ProviderGateway.BrowserDesks;

/// <summary>
/// The CORS policy of browser desks: pages of the configured origins (<c>Gateway:BrowserDesks:AllowedOrigins</c>,
/// none by default) may call the front desk with JSON or gRPC-Web, sending the API key, operator and purpose headers,
/// and read gRPC-Web's status headers. Pages of any other origin get no CORS headers, so their browser refuses to send
/// the call's headers or let them read the answer.
/// </summary>
public static class BrowserDeskCors
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "browser-desks";

    /// <summary>What a browser desk may send: JSON's and gRPC-Web's own headers, the gateway's, and the cache bypass.</summary>
    public static readonly string[] AllowedHeaders =
    [
        "content-type",
        ClientAuthentication.ApiKeyHeader,
        CallerIdentity.OperatorHeader,
        CallerIdentity.PurposeHeader,
        Consent.ConsentGate.TokenHeader,
        "accept-language",
        "cache-control",
        "x-grpc-web",
        "x-user-agent",
        "grpc-timeout",
    ];

    /// <summary>What a browser desk may read besides the body: gRPC-Web's status (trailers-only answers carry it in headers).</summary>
    public static readonly string[] ExposedHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

    /// <summary>Adds the policy to <paramref name="cors"/>.</summary>
    public static void AddPolicy(CorsOptions cors, BrowserDesksOptions desks) =>
        cors.AddPolicy(PolicyName, policy => policy
            .WithOrigins([.. desks.AllowedOrigins])
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders)
            // A browser asks before each kind of call; let it remember the answer for a while.
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
}
