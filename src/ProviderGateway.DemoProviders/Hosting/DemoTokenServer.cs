using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ProviderGateway.DemoProviders;

/// <summary>A client the demo token endpoint knows: authenticated by a secret, or by assertions signed with a private key.</summary>
public sealed class DemoTokenClient
{
    /// <summary>The client id. Required.</summary>
    public required string ClientId { get; init; }

    /// <summary>The client secret (<c>client_secret_basic</c> or <c>client_secret_post</c>); or see <see cref="PublicKeyPem"/>.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The PEM public key (RSA or EC P-256) that verifies the client's assertions (<c>private_key_jwt</c>).</summary>
    public string? PublicKeyPem { get; init; }

    /// <summary>The scopes the client may be given; asking for another is <c>invalid_scope</c>. Empty: any.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
}

/// <summary>How to start a <see cref="DemoTokenServer"/>.</summary>
public sealed class DemoTokenServerOptions
{
    /// <summary>Where to listen (HTTP/1.1 and HTTP/2): <c>http://127.0.0.1:0</c> by default, or https with <see cref="ServerCertificate"/>.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>The TLS certificate of an https <see cref="Url"/>.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>The clients it issues tokens to.</summary>
    public IReadOnlyList<DemoTokenClient> Clients { get; set; } = [];

    /// <summary>How long an issued token is valid (its <c>expires_in</c>). Defaults to one hour.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock of token lifetimes and assertion expiry. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Adds logging providers and filters; without it the server logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}

/// <summary>
/// A demo OAuth2 authorization server for the client credentials grant (RFC 6749 §4.4), as the identity provider in front of
/// a provider system would be: <c>POST /connect/token</c> authenticates the client by <c>client_secret_basic</c>,
/// <c>client_secret_post</c> or <c>private_key_jwt</c> (RFC 7523: RS256/ES256, audience the endpoint, expiry within 5
/// minutes, each <c>jti</c> once) and issues opaque bearer tokens. A demo provider started with
/// <see cref="DemoProviderServerOptions.RequiredBearerTokens"/> = <see cref="Tokens"/> accepts only them.
/// </summary>
public sealed class DemoTokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoTokenServer(WebApplication app, DemoTokenIssuer tokens, Uri tokenEndpoint)
    {
        _app = app;
        Tokens = tokens;
        TokenEndpoint = tokenEndpoint;
    }

    /// <summary>The token endpoint, for example <c>http://127.0.0.1:54321/connect/token</c>.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The tokens it issued: what a provider checks, and what tests revoke.</summary>
    public DemoTokenIssuer Tokens { get; }

    /// <summary>Starts the server and returns once it listens.</summary>
    public static async Task<DemoTokenServer> StartAsync(DemoTokenServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listenOn = DemoProviderServer.ParseListenUrl(options.Url, options.ServerCertificate is not null);
        var https = options.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        var builder = DemoProviderServer.CreateEmptyBuilder();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listenOn, listen =>
            {
                listen.Protocols = https ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                if (https)
                {
                    listen.UseHttps(options.ServerCertificate!);
                }
            });
        });
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var tokens = new DemoTokenIssuer(options.TokenLifetime, options.TimeProvider);
        Uri? endpoint = null;
        var clients = options.Clients.ToDictionary(c => c.ClientId, StringComparer.Ordinal);
        var seenAssertions = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        app.UseRouting();
        app.MapPost("/connect/token", (Func<HttpContext, Task<IResult>>)(http => IssueAsync(http, endpoint!, clients, tokens, seenAssertions, options.TimeProvider)));
        try
        {
            await app.StartAsync(ct);
            var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
            endpoint = new Uri(bound, "/connect/token");
            return new DemoTokenServer(app, tokens, endpoint);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<IResult> IssueAsync(
        HttpContext http,
        Uri endpoint,
        Dictionary<string, DemoTokenClient> clients,
        DemoTokenIssuer tokens,
        ConcurrentDictionary<string, DateTimeOffset> seenAssertions,
        TimeProvider time)
    {
        if (!http.Request.HasFormContentType)
        {
            return Error(tokens, HttpStatusCode.BadRequest, "invalid_request", "The request must be application/x-www-form-urlencoded.");
        }

        var form = await http.Request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials")
        {
            return Error(tokens, HttpStatusCode.BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        var client = Authenticate(http.Request, form, endpoint, clients, seenAssertions, time);
        if (client is null)
        {
            return Error(tokens, HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed.");
        }

        var asked = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (client.Scopes.Count > 0 && asked.Any(s => !client.Scopes.Contains(s)))
        {
            return Error(tokens, HttpStatusCode.BadRequest, "invalid_scope", "A requested scope is not granted to this client.");
        }

        var scope = asked.Length > 0 ? asked : [.. client.Scopes];
        var (token, lifetime) = tokens.Issue(client.ClientId, scope);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["scope"] = string.Join(' ', scope),
        });
    }

    private static IResult Error(DemoTokenIssuer tokens, HttpStatusCode status, string error, string description)
    {
        tokens.CountRefusal();
        return Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: (int)status);
    }

    private static DemoTokenClient? Authenticate(
        HttpRequest request,
        IFormCollection form,
        Uri endpoint,
        Dictionary<string, DemoTokenClient> clients,
        ConcurrentDictionary<string, DateTimeOffset> seenAssertions,
        TimeProvider time)
    {
        // client_secret_basic: form-urlencoded id and secret in HTTP Basic (RFC 6749 §2.3.1).
        if (request.Headers.Authorization.ToString() is { } header && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? BySecret(clients, Uri.UnescapeDataString(decoded[..colon].Replace('+', ' ')), Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '))) : null;
        }

        // private_key_jwt (RFC 7523 §2.2).
        if (form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return ByAssertion(form["client_assertion"].ToString(), form["client_id"].ToString(), endpoint, clients, seenAssertions, time);
        }

        // client_secret_post.
        return BySecret(clients, form["client_id"].ToString(), form["client_secret"].ToString());
    }

    private static DemoTokenClient? BySecret(Dictionary<string, DemoTokenClient> clients, string clientId, string secret) =>
        clients.TryGetValue(clientId, out var client) && client.ClientSecret is { } expected
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(expected))
            ? client
            : null;

    private static DemoTokenClient? ByAssertion(
        string assertion,
        string clientIdInForm,
        Uri endpoint,
        Dictionary<string, DemoTokenClient> clients,
        ConcurrentDictionary<string, DateTimeOffset> seenAssertions,
        TimeProvider time)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            var claims = payload.RootElement;
            var issuer = claims.GetProperty("iss").GetString();
            if (issuer is null || claims.GetProperty("sub").GetString() != issuer
                || (clientIdInForm.Length > 0 && clientIdInForm != issuer)
                || !clients.TryGetValue(issuer, out var client) || client.PublicKeyPem is not { } publicKey)
            {
                return null;
            }

            var audience = claims.GetProperty("aud");
            var audiences = audience.ValueKind == JsonValueKind.Array ? audience.EnumerateArray().Select(a => a.GetString()) : [audience.GetString()];
            var now = time.GetUtcNow();
            var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
            var jti = claims.GetProperty("jti").GetString();
            if (!audiences.Contains(endpoint.AbsoluteUri) || expires <= now || expires > now.AddMinutes(5) || string.IsNullOrEmpty(jti))
            {
                return null;
            }

            var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            var signature = Base64UrlDecode(parts[2]);
            var verified = header.RootElement.GetProperty("alg").GetString() switch
            {
                "RS256" => Verify(RSA.Create(), publicKey, key => key.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
                "ES256" => Verify(ECDsa.Create(), publicKey, key => key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
                _ => false,
            };

            // Each assertion once (RFC 7523 §3, item 7): a replayed one is refused.
            return verified && seenAssertions.TryAdd($"{issuer} {jti}", expires) ? client : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static bool Verify<T>(T key, string publicKeyPem, Func<T, bool> verify)
        where T : AsymmetricAlgorithm
    {
        using (key)
        {
            key.ImportFromPem(publicKeyPem);
            return verify(key);
        }
    }

    private static byte[] Base64UrlDecode(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}

/// <summary>
/// The opaque bearer tokens a <see cref="DemoTokenServer"/> issued, and their check: a demo provider accepts a token that
/// was issued, has not expired and has not been revoked, and that carries the scope it requires.
/// </summary>
public sealed class DemoTokenIssuer(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string ClientId, string[] Scopes, DateTimeOffset Expires)> _issued = new(StringComparer.Ordinal);
    private long _issuedCount;
    private long _refused;

    /// <summary>Tokens issued so far.</summary>
    public long Issued => Interlocked.Read(ref _issuedCount);

    /// <summary>Token requests refused so far (bad client credentials, scope or grant).</summary>
    public long RequestsRefused => Interlocked.Read(ref _refused);

    /// <summary>Forgets every token issued so far, as an authorization server that rotated its keys would: providers refuse them.</summary>
    public void RevokeAll() => _issued.Clear();

    /// <summary>True when <paramref name="token"/> was issued, is unexpired and carries <paramref name="requiredScope"/> (if any).</summary>
    public bool Accepts(string token, string? requiredScope) =>
        _issued.TryGetValue(token, out var issued)
        && issued.Expires > time.GetUtcNow()
        && (requiredScope is null || issued.Scopes.Contains(requiredScope));

    internal (string Token, TimeSpan Lifetime) Issue(string clientId, string[] scopes)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _issued[token] = (clientId, scopes, time.GetUtcNow() + lifetime);
        Interlocked.Increment(ref _issuedCount);
        return (token, lifetime);
    }

    internal void CountRefusal() => Interlocked.Increment(ref _refused);
}
