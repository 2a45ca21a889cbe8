using System.Collections.Frozen;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http.Features;
using ProviderGateway.Core;

namespace ProviderGateway.Security;

/// <summary>
/// Endpoint metadata of every front-desk endpoint, added when the service is mapped: the catalogue's method the
/// endpoint dispatches to, and whether it is the method's JSON route or its gRPC (and gRPC-Web) endpoint.
/// </summary>
/// <param name="Method">The method the endpoint dispatches to.</param>
/// <param name="IsJson">True for the JSON route (gRPC JSON transcoding), false for gRPC and gRPC-Web.</param>
public sealed record FrontDeskEndpoint(FrontDeskMethod Method, bool IsJson)
{
    /// <summary>The one spelling of the path a call of this endpoint may use.</summary>
    public string CanonicalPath => IsJson ? Method.JsonPath : Method.GrpcPath;
}

/// <summary>
/// What one request is, as every step of the gateway sees it: the front-desk method, taken from the endpoint ASP.NET
/// Core dispatched to (never from the path string the caller wrote), whether the request used the method's one exact
/// path, and, once authenticated, the client. Set on <see cref="HttpContext.Features"/> for every front-desk request.
/// </summary>
public sealed class FrontDeskCall(FrontDeskMethod method, bool canonical, bool isJson)
{
    private int _journaled;
    private int _counted;

    /// <summary>The method the call is for (or would have reached, when <see cref="Canonical"/> is false).</summary>
    public FrontDeskMethod Method { get; } = method;

    /// <summary>
    /// True when the request's target is exactly the method's path (<see cref="FrontDeskEndpoint.CanonicalPath"/>):
    /// no other case, no trailing or doubled slash, no percent-encoding, no query on a gRPC path. Other spellings that
    /// ASP.NET Core's routing would still match are refused before any handler runs.
    /// </summary>
    public bool Canonical { get; } = canonical;

    /// <summary>True for a JSON call (its refusals are JSON statuses), false for gRPC and gRPC-Web.</summary>
    public bool IsJson { get; } = isJson;

    /// <summary>The authenticated client; <c>null</c> until authentication succeeded.</summary>
    public GatewayClient? Client { get; set; }

    /// <summary>Claims the call's one journal line: true the first time only.</summary>
    public bool TryClaimJournalLine() => Interlocked.Exchange(ref _journaled, 1) == 0;

    /// <summary>Claims the call's one count in the desk-call metric: true the first time only.</summary>
    public bool TryClaimDeskCallCount() => Interlocked.Exchange(ref _counted, 1) == 0;
}

/// <summary>
/// Classifies requests (<see cref="FrontDeskCall"/>) and refuses every front-desk request that did not use its
/// method's exact path.
/// </summary>
public static class FrontDeskCalls
{
    // Lower-cased, percent-decoded paths with slashes collapsed and no trailing slash, of every gRPC path and JSON
    // route: only to name the method a mis-spelt request would have reached (for its refusal and journal line), when
    // routing matched no front-desk endpoint at all. Never used to grant anything.
    private static readonly FrozenDictionary<string, (FrontDeskMethod Method, bool IsJson)> ByLooseSpelling = FrontDeskMethods.All
        .SelectMany(m => new[] { (Path: m.GrpcPath, Method: m, IsJson: false), (Path: m.JsonPath, Method: m, IsJson: true) })
        .Where(e => e.Path.Length > 0)
        .GroupBy(e => Loosen(e.Path), StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => (g.First().Method, g.First().IsJson), StringComparer.Ordinal);

    /// <summary>The classification of a request; <c>null</c> when it is not a front-desk call (health, reflection …).</summary>
    public static FrontDeskCall? Of(HttpContext context) => context.Features.Get<FrontDeskCall>();

    /// <summary>Adds <see cref="FrontDeskEndpoint"/> metadata to each endpoint of the front-desk service (gRPC and JSON routes).</summary>
    public static TBuilder WithFrontDeskCatalogue<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var grpc = endpoint.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault();
            if (grpc is null || !string.Equals(grpc.Method.ServiceName, FrontDeskMethods.ServiceName, StringComparison.Ordinal))
            {
                return;
            }

            // Every method of the contract is in the catalogue; an unclassified one is refused to every client.
            var method = FrontDeskMethods.Find(grpc.Method.Name)
                ?? new FrontDeskMethod(grpc.Method.Name, "", PersonalData: true, $"/{grpc.Method.FullName}", "");
            endpoint.Metadata.Add(new FrontDeskEndpoint(method, endpoint.Metadata.OfType<GrpcJsonTranscodingMetadata>().Any()));
        });
        return builder;
    }

    /// <summary>Classifies every request (after routing, before authentication): see <see cref="FrontDeskCall"/>.</summary>
    public static IApplicationBuilder UseFrontDeskCallClassification(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (Classify(context) is { } call)
            {
                context.Features.Set(call);
            }

            return next(context);
        });

    /// <summary>
    /// Refuses, with UNIMPLEMENTED and before any handler runs, every front-desk request that did not use its method's
    /// exact path, whoever sends it; the refusal of an authenticated client is journaled under the method the request
    /// would have reached. Runs after authentication and the rate limiter.
    /// </summary>
    public static IApplicationBuilder UseCanonicalFrontDeskPaths(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (Of(context) is not { Canonical: false } call)
            {
                return next(context);
            }

            var refusal = SecurityErrors.NotCanonicalStatus(call);
            AccessJournaling.JournalRefusal(context, call, (Grpc.Core.StatusCode)refusal.Code);
            return EarlyStatus.WriteAsync(context, refusal);
        });

    internal static FrontDeskCall? Classify(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (context.GetEndpoint()?.Metadata.GetMetadata<FrontDeskEndpoint>() is { } endpoint)
        {
            return new FrontDeskCall(endpoint.Method, IsExactly(target, endpoint), endpoint.IsJson);
        }

        // Routing matched no front-desk endpoint: a request that still names a front-desk method in another spelling
        // (a doubled slash, say) is classified as a non-canonical call of it, to be refused and journaled.
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target : target[..query];
        return path.Length > 1 && ByLooseSpelling.TryGetValue(Loosen(path), out var named)
            ? new FrontDeskCall(named.Method, canonical: false, named.IsJson)
            : null;
    }

    // The raw request target (HTTP/2 :path, HTTP/1.1 request-target) exactly: the same characters, case included. A
    // JSON route may carry a query (ListProviders takes its fields there); a gRPC path never does.
    private static bool IsExactly(string target, FrontDeskEndpoint endpoint)
    {
        var canonical = endpoint.CanonicalPath;
        if (canonical.Length == 0 || !target.StartsWith(canonical, StringComparison.Ordinal))
        {
            return false;
        }

        return target.Length == canonical.Length || (endpoint.IsJson && target[canonical.Length] == '?');
    }

    private static string Loosen(string path)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            decoded = path;
        }

        var collapsed = new System.Text.StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (c == '/' && collapsed.Length > 0 && collapsed[^1] == '/')
            {
                continue;
            }

            collapsed.Append(char.ToLowerInvariant(c));
        }

        while (collapsed.Length > 1 && collapsed[^1] == '/')
        {
            collapsed.Length--;
        }

        return collapsed.ToString();
    }
}
