using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// Authenticates front-desk calls before anything else: an API key (metadata <c>x-api-key</c>) is looked up
/// among the configured clients; without one, a client certificate presented on a TLS endpoint is validated by
/// ASP.NET Core's certificate authentication handler (chain to the configured authority) and looked up by
/// thumbprint. The client's principal becomes <see cref="HttpContext.User"/>; a call from no configured client is
/// answered UNAUTHENTICATED at once, unread, before the request is parsed. An authenticated call is then counted against
/// its client's rate limit (<see cref="ClientRateLimits"/>) and refused RESOURCE_EXHAUSTED over it, unread too.
/// (<see cref="AccessControl"/> checks again.) The same holds whichever way the call came: native gRPC,
/// gRPC-Web or JSON (whose refusal is a JSON status, HTTP 401). Health, reflection and the OpenAPI document stay open.
/// </summary>
/// <remarks>
/// API keys are checked here rather than by an ASP.NET Core authentication handler: the authentication
/// middleware's scheme resolution and per-call handler took 11% of the gateway's CPU on a cached answer.
/// </remarks>
public static class ClientAuthentication
{
    /// <summary>The metadata key carrying the API key.</summary>
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>The scheme name of principals authenticated by API key.</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>Adds the authentication of front-desk calls.</summary>
    public static IApplicationBuilder UseClientAuthentication(this IApplicationBuilder app)
    {
        var clients = app.ApplicationServices.GetRequiredService<GatewayClients>();
        var limits = app.ApplicationServices.GetRequiredService<ClientRateLimits>();
        return app.Use((context, next) =>
        {
            if (FrontDeskCalls.Of(context) is not { } call)
            {
                return next(context);
            }

            var keys = context.Request.Headers[ApiKeyHeader];
            if (keys.Count > 0)
            {
                if (keys.Count == 1 && clients.FindByApiKey(keys[0]!) is { } client)
                {
                    if (context.Connection.ClientCertificate is not null)
                    {
                        // Both credentials: they must name the same client, and the certificate must be valid.
                        return WithKeyAndCertificateAsync(context, call, client, clients, limits, next);
                    }

                    context.User = GatewayClients.PrincipalOf(client, ApiKeyScheme);
                    return Admit(context, call, client, limits, next);
                }

                return RefuseAsync(context, presentedKey: true);
            }

            return context.Connection.ClientCertificate is not null
                ? WithCertificateAsync(context, call, clients, limits, next)
                : RefuseAsync(context, presentedKey: false);
        });
    }

    // RATE LIMIT: the call is its client's from here on (the journal names it), and counts against its bucket.
    private static Task Admit(HttpContext context, FrontDeskCall call, GatewayClient client, ClientRateLimits limits, RequestDelegate next)
    {
        call.Client = client;
        var admission = limits.AdmitAsync(client);
        if (!admission.IsCompletedSuccessfully)
        {
            return AdmitLaterAsync(context, call, client, admission, next);
        }

        return admission.Result is { } retryAfter
            ? ClientRateLimits.RefuseAsync(context, call, client, retryAfter)
            : next(context);
    }

    // A shared limit whose calls this instance must borrow first (one Redis request, shared by the calls waiting on it).
    private static async Task AdmitLaterAsync(HttpContext context, FrontDeskCall call, GatewayClient client, ValueTask<TimeSpan?> admission, RequestDelegate next)
    {
        if (await admission.ConfigureAwait(false) is { } retryAfter)
        {
            await ClientRateLimits.RefuseAsync(context, call, client, retryAfter).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static async Task WithCertificateAsync(HttpContext context, FrontDeskCall call, GatewayClients clients, ClientRateLimits limits, RequestDelegate next)
    {
        var result = await context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Succeeded && clients.Of(result.Principal) is { } client)
        {
            context.User = result.Principal;
            await Admit(context, call, client, limits, next).ConfigureAwait(false);
            return;
        }

        await RefuseAsync(context, presentedKey: false).ConfigureAwait(false);
    }

    private static async Task WithKeyAndCertificateAsync(
        HttpContext context, FrontDeskCall call, GatewayClient keyClient, GatewayClients clients, ClientRateLimits limits, RequestDelegate next)
    {
        var result = await context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Succeeded && clients.Of(result.Principal) == keyClient)
        {
            context.User = GatewayClients.PrincipalOf(keyClient, ApiKeyScheme);
            await Admit(context, call, keyClient, limits, next).ConfigureAwait(false);
            return;
        }

        await EarlyStatus.WriteAsync(context, SecurityErrors.CredentialsDisagreeStatus()).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, bool presentedKey) =>
        EarlyStatus.WriteAsync(context, SecurityErrors.UnauthenticatedStatus(presentedKey));
}
