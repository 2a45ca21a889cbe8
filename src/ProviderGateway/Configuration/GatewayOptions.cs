using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Configuration;

/// <summary>
/// The gateway's configuration, section <c>Gateway</c> of <c>appsettings.json</c> (or environment
/// variables such as <c>Gateway__Providers__0__Endpoint</c>). Validated at start-up by
/// <see cref="GatewayOptionsDeclaredValidator"/> (the ranges declared here) and <see cref="GatewayOptionsValidator"/>:
/// the gateway refuses to start on a bad value.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// The providers the gateway routes to. When empty (the embedded default), the gateway starts the
    /// demo providers in-process and routes to them.
    /// </summary>
    [ValidateEnumeratedItems]
    public IList<ProviderOptions> Providers { get; init; } = [];

    /// <summary>
    /// The deadline of a call to a provider that sets none in <see cref="ProviderOptions.Deadline"/>.
    /// Defaults to 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, "00:05:00", MinimumIsExclusive = true)]
    public TimeSpan DefaultProviderDeadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The language of the gateway's error messages for people (<c>google.rpc.LocalizedMessage</c>) and of provider names
    /// when a call's <c>accept-language</c> names none of <c>kk</c>, <c>ru</c>, <c>en</c>. Defaults to <c>ru</c>.
    /// </summary>
    [RegularExpression("^(kk|ru|en)$", ErrorMessage = "{0} must be kk, ru or en.")]
    public string DefaultLanguage { get; init; } = "ru";

    /// <summary>How many items of each provider a citizen overview shows. Defaults to 20; at most 100.</summary>
    [Range(1, 100)]
    public int OverviewPageSize { get; init; } = 20;

    /// <summary>
    /// How long the provider directory waits for a provider's grpc.health.v1 answer before calling it
    /// unreachable. Defaults to 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan HealthCheckTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PEM file of the certificate authority trusted, instead of the system's trust store, for providers'
    /// TLS certificates (a provider can name its own in <see cref="ProviderOptions.CaCertificate"/>).
    /// Optional: by default the system's trust store.
    /// </summary>
    public string? ProviderCaCertificate { get; init; }

    /// <summary>
    /// The pattern a cadastral number must match (.NET regular expression, anchored). Defaults to
    /// <c>^\d{2}-\d{3}-\d{3}-\d{3,4}$</c> (region, district, quarter, parcel).
    /// </summary>
    public string CadastralNumberPattern { get; init; } = FieldRules.DefaultCadastralNumberPattern;
}
