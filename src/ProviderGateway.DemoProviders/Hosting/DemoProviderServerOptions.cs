using Microsoft.Extensions.Logging;
using ProviderGateway.DemoProviders.Data;

namespace ProviderGateway.DemoProviders;

/// <summary>How to start one <see cref="DemoProviderServer"/>.</summary>
public sealed class DemoProviderServerOptions
{
    /// <summary>The seed id of the provider to serve, for example "alatau-power". Required.</summary>
    public required string ProviderId { get; set; }

    /// <summary>
    /// Where to listen: <c>http://HOST:PORT</c> (h2c, HTTP/2 only), or <c>https://HOST:PORT</c> with
    /// <see cref="ServerCertificate"/>, with an IP address or "localhost" as HOST. Port 0 picks a free port;
    /// read the result from <see cref="DemoProviderServer.Address"/>. Defaults to <c>http://127.0.0.1:0</c>.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>The TLS certificate (with its private key) of an https <see cref="Url"/>. Optional.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// When set (with an https <see cref="Url"/>), the provider requires mutual TLS: a client certificate issued by this
    /// authority, or the TLS handshake fails. Optional.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificateAuthority { get; set; }

    /// <summary>
    /// When set, every gRPC call must carry this API key in <see cref="ApiKeyHeader"/>, or it is refused
    /// UNAUTHENTICATED (a provider that authenticates its callers by key). Optional.
    /// </summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>The header of <see cref="RequiredApiKey"/>. Defaults to <c>x-api-key</c>.</summary>
    public string ApiKeyHeader { get; set; } = "x-api-key";

    /// <summary>
    /// When set, every gRPC call must carry <c>authorization: Bearer</c> with a token these issued (a
    /// <see cref="DemoTokenServer"/>'s <see cref="DemoTokenServer.Tokens"/>), or it is refused UNAUTHENTICATED. Optional.
    /// </summary>
    public DemoTokenIssuer? RequiredBearerTokens { get; set; }

    /// <summary>The scope a token must carry when <see cref="RequiredBearerTokens"/> is set; <c>null</c>: any.</summary>
    public string? RequiredScope { get; set; }

    /// <summary>The seed file to load when <see cref="Seed"/> is not given. Defaults to <see cref="DemoSeed.DefaultPath"/>.</summary>
    public string? SeedPath { get; set; }

    /// <summary>An already loaded seed to share between servers; wins over <see cref="SeedPath"/>.</summary>
    public DemoSeed? Seed { get; set; }

    /// <summary>The faults to start with. Defaults to none.</summary>
    public DemoFaultOptions Faults { get; set; } = new();

    /// <summary>How long a certificate order takes to become READY; zero makes it READY at once. Defaults to 30 seconds.</summary>
    public TimeSpan CertificateReadyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the provider's data (accept times, certificate progress, "today"). Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The pattern a requested cadastral number must match. Defaults to <see cref="DemoDataStoreOptions.DefaultCadastralNumberPattern"/>.</summary>
    public string CadastralNumberPattern { get; set; } = DemoDataStoreOptions.DefaultCadastralNumberPattern;

    /// <summary>Adds logging providers and filters; without it the server logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>
    /// Adds services after the demo's own, for example gRPC interceptors (<c>services.AddGrpc(o =&gt;
    /// o.Interceptors.Add&lt;T&gt;())</c>, which run inside the demo's). Tests use it to build deliberately
    /// broken providers for the conformance kit.
    /// </summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Adds middleware in front of the demo's endpoints (gRPC services, health, control endpoints). For tests, as <see cref="ConfigureServices"/>.</summary>
    public Action<Microsoft.AspNetCore.Builder.WebApplication>? ConfigurePipeline { get; set; }
}
