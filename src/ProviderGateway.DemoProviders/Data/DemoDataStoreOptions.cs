using System.Text.RegularExpressions;

namespace ProviderGateway.DemoProviders.Data;

/// <summary>How a <see cref="DemoDataStore"/> behaves where the seed does not say.</summary>
public sealed class DemoDataStoreOptions
{
    /// <summary>
    /// The pattern of the gateway's default cadastral number rule, which the demo land registry accepts
    /// too: region, district, quarter and a 3- or 4-digit parcel number.
    /// </summary>
    public const string DefaultCadastralNumberPattern = Contracts.Validation.FieldRules.DefaultCadastralNumberPattern;

    /// <summary>The clock: "now" for accept times and certificate progress, "today" for dates. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How long a certificate order takes to become READY; it is IN_PROGRESS from a third of that time.
    /// Zero makes every order READY at once. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan CertificateReadyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The .NET regular expression a requested cadastral number must match. Defaults to
    /// <see cref="DefaultCadastralNumberPattern"/>.
    /// </summary>
    public string CadastralNumberPattern { get; set; } = DefaultCadastralNumberPattern;

    internal Regex CompileCadastralNumberPattern() =>
        new(CadastralNumberPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
