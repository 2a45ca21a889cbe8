using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// Authenticates front-desk calls before anything else: an API key (metadata <c>x-api-key</c>) is looked up
/// among the configured clients; without one, a client certificate presented on a TLS endpoint is validated by
/// ASP.NET Core's certificate authentication handler (chain to the configured authority) and looked up by
/// thumbprint. The client's principal becomes <see cref="HttpContext.User"/>; a call from no configured client is
/// answered UNAUTHENTICATED at once, unread, before the rate limiter and before the request is parsed.
/// (<see cref="AccessControlInterceptor"/> checks again.) The same holds whichever way the call came: native gRPC,
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
    public static IApplicationBuilder UseClientAuthentication(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (FrontDeskCalls.Of(context) is not { } call)
            {
                return next(context);
            }

            var clients = context.RequestServices.GetRequiredService<GatewayClients>();
            var keys = context.Request.Headers[ApiKeyHeader];
            if (keys.Count > 0)
            {
                if (keys.Count == 1 && clients.FindByApiKey(keys[0]!) is { } client)
                {
                    if (context.Connection.ClientCertificate is not null)
                    {
                        // Both credentials: they must name the same client, and the certificate must be valid.
                        return WithKeyAndCertificateAsync(context, call, client, next);
                    }

                    context.User = GatewayClients.PrincipalOf(client, ApiKeyScheme);
                    call.Client = client;
                    return next(context);
                }

                return RefuseAsync(context, presentedKey: true);
            }

            return context.Connection.ClientCertificate is not null
                ? WithCertificateAsync(context, call, next)
                : RefuseAsync(context, presentedKey: false);
        });

    private static async Task WithCertificateAsync(HttpContext context, FrontDeskCall call, RequestDelegate next)
    {
        var result = await context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Succeeded && context.RequestServices.GetRequiredService<GatewayClients>().Of(result.Principal) is { } client)
        {
            context.User = result.Principal;
            call.Client = client;
            await next(context).ConfigureAwait(false);
            return;
        }

        await RefuseAsync(context, presentedKey: false).ConfigureAwait(false);
    }

    private static async Task WithKeyAndCertificateAsync(HttpContext context, FrontDeskCall call, GatewayClient keyClient, RequestDelegate next)
    {
        var result = await context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Succeeded && context.RequestServices.GetRequiredService<GatewayClients>().Of(result.Principal) == keyClient)
        {
            context.User = GatewayClients.PrincipalOf(keyClient, ApiKeyScheme);
            call.Client = keyClient;
            await next(context).ConfigureAwait(false);
            return;
        }

        await EarlyStatus.WriteAsync(context, SecurityErrors.CredentialsDisagreeStatus()).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, bool presentedKey) =>
        EarlyStatus.WriteAsync(context, SecurityErrors.UnauthenticatedStatus(presentedKey));
}
