using Microsoft.Extensions.Logging;
using ProviderGateway.DemoProviders.Data;

namespace ProviderGateway.DemoProviders;

/// <summary>How to start a <see cref="DemoProviderSet"/>. Every setting applies to each server of the set.</summary>
public sealed class DemoProviderSetOptions
{
    /// <summary>An already loaded seed; wins over <see cref="SeedPath"/>.</summary>
    public DemoSeed? Seed { get; set; }

    /// <summary>The seed file to load when <see cref="Seed"/> is not given. Defaults to <see cref="DemoSeed.DefaultPath"/>.</summary>
    public string? SeedPath { get; set; }

    /// <summary>The providers to start, by seed id; <c>null</c> (the default) starts every provider of the seed.</summary>
    public IReadOnlyCollection<string>? ProviderIds { get; set; }

    /// <summary>The IP address (or "localhost") to listen on. Defaults to 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// The port of the first provider; the others take the following ports, in seed order. Zero (the
    /// default) gives every provider a free port of its own.
    /// </summary>
    public int BasePort { get; set; }

    /// <summary>The faults every provider starts with; each server then has its own <see cref="DemoFaults"/>. Defaults to none.</summary>
    public DemoFaultOptions Faults { get; set; } = new();

    /// <summary>How long a certificate order takes to become READY. Defaults to 30 seconds.</summary>
    public TimeSpan CertificateReadyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the providers' data. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The pattern a requested cadastral number must match. Defaults to <see cref="DemoDataStoreOptions.DefaultCadastralNumberPattern"/>.</summary>
    public string CadastralNumberPattern { get; set; } = DemoDataStoreOptions.DefaultCadastralNumberPattern;

    /// <summary>Adds logging providers and filters to every server; without it the servers log nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>Also start a demo consent authority (<see cref="DemoConsentAuthority"/>) on a free loopback port of <see cref="Host"/>.</summary>
    public bool ConsentAuthority { get; set; }
}
