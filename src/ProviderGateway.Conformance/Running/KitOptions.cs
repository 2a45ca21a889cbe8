using System.Text.RegularExpressions;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Conformance.Running;

/// <summary>What the kit checks and how it reaches the provider; the command line fills it (see <c>Program.cs</c>).</summary>
internal sealed class KitOptions
{
    private readonly string? _otherCitizenIin;

    /// <summary>The provider, for example <c>http://127.0.0.1:6001</c> (h2c) or <c>https://registry.example.kz:443</c>.</summary>
    public required Uri Target { get; init; }

    /// <summary>The contract the provider implements.</summary>
    public required ContractDomain Domain { get; init; }

    /// <summary>
    /// A test citizen the provider holds data for: the kit lists, pages and writes with this IIN. It
    /// needs at least two items in each list (accounts and invoices and payments of one account;
    /// parcels; benefits and the payments of one benefit) so that paging can be checked.
    /// </summary>
    public string CitizenIin { get; init; } = "";

    /// <summary>
    /// A second test citizen the provider holds data for (at least one account, parcel or benefit), who holds none of
    /// the test citizen's: the other-citizen checks ask for the test citizen's resources with this IIN, and the page
    /// token checks send the test citizen's tokens for this citizen's lists. Defaults to the demo providers' one of the domain.
    /// </summary>
    public string OtherCitizenIin
    {
        get => _otherCitizenIin ?? DefaultOtherCitizenIin(Domain);
        init => _otherCitizenIin = value;
    }

    /// <summary>A valid IIN the provider holds nothing for: its lists must be empty pages, not errors.</summary>
    public string UnknownIin { get; init; } = DefaultUnknownIin;

    /// <summary>A well-formed cadastral number registered nowhere (land registry).</summary>
    public string MissingCadastralNumber { get; init; } = "00-000-000-000";

    /// <summary>KATO code of the district the kit's benefit applications are filed in (social services).</summary>
    public string KatoCode { get; init; } = "196800000";

    /// <summary>The pattern cadastral numbers must match as a whole.</summary>
    public Regex CadastralPattern { get; init; } = new(FieldRules.DefaultCadastralNumberPattern, RegexOptions.CultureInvariant);

    /// <summary>Headers sent with every call (for example an API key the provider requires).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>PEM file of the authority that signed the provider's TLS certificate (https targets); the system store when not set.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>PEM file of the client certificate (with its key, or see <see cref="ClientKey"/>) presented to a provider requiring mutual TLS.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>PEM file of <see cref="ClientCertificate"/>'s private key, when separate.</summary>
    public string? ClientKey { get; init; }

    /// <summary>OAuth2 client credentials: every call carries a bearer token obtained with them, as the gateway's calls do.</summary>
    public ProviderGateway.Providers.OAuth2.ClientCredentialsSettings? OAuth2 { get; init; }

    /// <summary>Deadline of every ordinary call.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The short deadline of the deadline check, sent as <c>grpc-timeout</c> and enforced by the provider alone.</summary>
    public TimeSpan DeadlineProbe { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How late after <see cref="DeadlineProbe"/> the provider's answer may arrive (network, scheduling).</summary>
    public TimeSpan DeadlineGrace { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Where the JUnit XML report goes; <c>null</c> for none.</summary>
    public string? JUnitPath { get; init; }

    /// <summary>The default test citizen of each contract: one the demo providers hold enough data for.</summary>
    public static string DefaultCitizenIin(ContractDomain domain) => domain switch
    {
        ContractDomain.SocialServices => "830417405126",
        _ => "791028302728",
    };

    /// <summary>
    /// The default second test citizen of each contract: one the demo providers (and, for the land registry, the Node.js
    /// provider of the tests) hold data for; for utilities she also holds a CLOSED account with a meter.
    /// </summary>
    public static string DefaultOtherCitizenIin(ContractDomain domain) => domain switch
    {
        ContractDomain.LandRegistry => "720119319078",
        _ => "580203420876",
    };

    /// <summary>A valid IIN of a man born on 1 January 1901: nobody's.</summary>
    public static readonly string DefaultUnknownIin = Enumerable.Range(1, 100)
        .Select(serial => Iin.Create(new DateOnly(1901, 1, 1), male: true, serial))
        .First(iin => iin is not null)!;
}
