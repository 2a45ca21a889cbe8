using System.CommandLine;
using System.Text.RegularExpressions;
using ProviderGateway.Conformance.Reporting;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.Validation;
using ProviderGateway.Providers.OAuth2;

// The conformance kit's command line. Exit codes: 0 conformant, 1 a check failed, 2 bad usage.
const string OAuth2SecretVariable = "PG_CONFORMANCE_OAUTH2_CLIENT_SECRET";
var target = new Option<string>("--target")
{
    Description = "The provider: HOST:PORT (cleartext HTTP/2, or TLS with --tls) or a URL such as https://registry.example.kz:443.",
    Required = true,
};
var domain = new Option<string>("--domain")
{
    Description = "The contract the provider implements: utilities, land_registry or social_services.",
    Required = true,
};
var citizen = new Option<string?>("--citizen-iin")
{
    Description = "A test citizen the provider holds data for (at least 2 items in each list). Defaults to the demo providers' test citizen of the domain.",
};
var otherCitizen = new Option<string?>("--other-citizen-iin")
{
    Description = "A second test citizen the provider holds data for (an account, parcel or benefit), other than --citizen-iin; for utilities one of the two holds a CLOSED account with a meter. "
        + "Defaults to the demo providers' one of the domain.",
};
var unknownCitizen = new Option<string?>("--unknown-iin")
{
    Description = $"A valid IIN the provider holds nothing for. Default: {KitOptions.DefaultUnknownIin} (born 1901).",
};
var missingCadastral = new Option<string>("--missing-cadastral-number")
{
    Description = "A well-formed cadastral number registered nowhere (land_registry).",
    DefaultValueFactory = _ => "00-000-000-000",
};
var kato = new Option<string>("--kato-code")
{
    Description = "KATO code of the district the kit files benefit applications in (social_services).",
    DefaultValueFactory = _ => "196800000",
};
var cadastralPattern = new Option<string>("--cadastral-pattern")
{
    Description = "Regular expression cadastral numbers must match as a whole.",
    DefaultValueFactory = _ => FieldRules.DefaultCadastralNumberPattern,
};
var headers = new Option<string[]>("--header")
{
    Description = "A header sent with every call, as 'name: value' (repeatable), for example an API key the provider requires.",
    AllowMultipleArgumentsPerToken = false,
};
var tls = new Option<bool>("--tls") { Description = "Use TLS when --target is HOST:PORT." };
var ca = new Option<string?>("--ca-certificate") { Description = "PEM file of the authority that signed the provider's TLS certificate (default: the system's trusted roots)." };
var clientCertificate = new Option<string?>("--client-certificate") { Description = "PEM file of the client certificate (and its key, unless --client-key) for a provider that requires mutual TLS." };
var clientKey = new Option<string?>("--client-key") { Description = "PEM file of --client-certificate's private key, when separate." };
var tokenEndpoint = new Option<string?>("--oauth2-token-endpoint") { Description = "OAuth2 token endpoint: every call carries a bearer token obtained by the client credentials grant, as the gateway's do." };
var oauth2ClientId = new Option<string?>("--oauth2-client-id") { Description = "The client id at --oauth2-token-endpoint." };
var oauth2SecretFile = new Option<string?>("--oauth2-client-secret-file")
{
    Description = $"A file holding the client secret (or set {OAuth2SecretVariable}; never on the command line).",
};
var oauth2KeyFile = new Option<string?>("--oauth2-private-key-file") { Description = "A PEM private key (RSA 2048+ or EC P-256) signing private_key_jwt assertions, instead of a secret." };
var oauth2KeyId = new Option<string?>("--oauth2-key-id") { Description = "The kid of the private_key_jwt assertions." };
var oauth2Scope = new Option<string?>("--oauth2-scope") { Description = "The scope to ask for (space-separated)." };
var oauth2Authentication = new Option<string?>("--oauth2-client-authentication") { Description = "client_secret_basic (default) or client_secret_post." };
var callTimeout = new Option<double>("--call-timeout")
{
    Description = "Deadline of each call, in seconds.",
    DefaultValueFactory = _ => 10,
};
var junit = new Option<string?>("--junit") { Description = "Where to write the JUnit XML report. Default: conformance-DOMAIN.xml in the current folder." };

var root = new RootCommand("ProviderGateway conformance kit: checks a provider implementation of a ProviderGateway contract over the wire.")
{
    target, domain, citizen, otherCitizen, unknownCitizen, missingCadastral, kato, cadastralPattern, headers, tls, ca,
    clientCertificate, clientKey, tokenEndpoint, oauth2ClientId, oauth2SecretFile, oauth2KeyFile, oauth2KeyId, oauth2Scope, oauth2Authentication,
    callTimeout, junit,
};

root.SetAction(async (parse, ct) =>
{
    KitOptions options;
    string junitPath;
    try
    {
        var contract = ContractDomains.Parse(parse.GetValue(domain)!)
            ?? throw new ArgumentException($"--domain must be one of {string.Join(", ", ContractDomains.Names)}.");
        var citizenIin = parse.GetValue(citizen) ?? KitOptions.DefaultCitizenIin(contract);
        var otherCitizenIin = parse.GetValue(otherCitizen) ?? KitOptions.DefaultOtherCitizenIin(contract);
        var unknownIin = parse.GetValue(unknownCitizen) ?? KitOptions.DefaultUnknownIin;
        if (Iin.Validate(citizenIin) is { } problem)
        {
            throw new ArgumentException($"--citizen-iin is not a valid IIN: {problem.Description}");
        }

        if (Iin.Validate(otherCitizenIin) is { } otherProblem)
        {
            throw new ArgumentException($"--other-citizen-iin is not a valid IIN: {otherProblem.Description}");
        }

        if (otherCitizenIin == citizenIin)
        {
            throw new ArgumentException("--other-citizen-iin must be another citizen than --citizen-iin.");
        }

        if (Iin.Validate(unknownIin) is { } unknownProblem)
        {
            throw new ArgumentException($"--unknown-iin is not a valid IIN: {unknownProblem.Description}");
        }

        options = new KitOptions
        {
            Target = TargetUri(parse.GetValue(target)!, parse.GetValue(tls)),
            Domain = contract,
            CitizenIin = citizenIin,
            OtherCitizenIin = otherCitizenIin,
            UnknownIin = unknownIin,
            MissingCadastralNumber = parse.GetValue(missingCadastral)!,
            KatoCode = KatoCode.Validate(parse.GetValue(kato)) is null ? parse.GetValue(kato)! : throw new ArgumentException("--kato-code is not a 9-digit KATO code."),
            CadastralPattern = new Regex(parse.GetValue(cadastralPattern)!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
            Headers = [.. (parse.GetValue(headers) ?? []).Select(Header)],
            CaCertificate = parse.GetValue(ca),
            ClientCertificate = ExistingFile(parse.GetValue(clientCertificate), "--client-certificate"),
            ClientKey = parse.GetValue(clientKey) is { } keyFile && parse.GetValue(clientCertificate) is null
                ? throw new ArgumentException("--client-key needs --client-certificate.")
                : ExistingFile(parse.GetValue(clientKey), "--client-key"),
            OAuth2 = OAuth2Settings(parse.GetValue(tokenEndpoint), parse.GetValue(oauth2ClientId), parse.GetValue(oauth2SecretFile), parse.GetValue(oauth2KeyFile), parse.GetValue(oauth2KeyId), parse.GetValue(oauth2Scope), parse.GetValue(oauth2Authentication)),
            CallTimeout = parse.GetValue(callTimeout) > 0 ? TimeSpan.FromSeconds(parse.GetValue(callTimeout)) : throw new ArgumentException("--call-timeout must be positive."),
        };
        junitPath = parse.GetValue(junit) ?? $"conformance-{ContractDomains.NameOf(contract)}.xml";
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"conformance: {e.Message}");
        return 2;
    }

    var console = new ConsoleReport(Console.Out);
    console.Header(options);
    var report = await ConformanceRunner.RunAsync(options, console.Result, ct);
    JUnitReport.Write(report, junitPath);
    console.Summary(report, junitPath);
    return report.Passed ? 0 : 1;
});

return await root.Parse(args).InvokeAsync();


static Uri TargetUri(string value, bool tls)
{
    var text = value.Contains("://", StringComparison.Ordinal) ? value : (tls ? "https://" : "http://") + value;
    if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.PathAndQuery != "/")
    {
        throw new ArgumentException($"--target '{value}' is neither HOST:PORT nor an http(s)://HOST:PORT URL.");
    }

    return uri;
}

static string? ExistingFile(string? path, string option) =>
    path is null || File.Exists(path) ? path : throw new ArgumentException($"{option} '{path}' does not exist.");

// The same settings as the gateway's Gateway:Providers:N:OAuth2, and the same checks where they apply.
static ClientCredentialsSettings? OAuth2Settings(string? endpoint, string? clientId, string? secretFile, string? keyFile, string? keyId, string? scope, string? authentication)
{
    var secret = secretFile is not null ? File.ReadAllText(ExistingFile(secretFile, "--oauth2-client-secret-file")!).Trim() : Environment.GetEnvironmentVariable(OAuth2SecretVariable);
    if (endpoint is null)
    {
        return clientId is null && secretFile is null && keyFile is null && scope is null
            ? null
            : throw new ArgumentException("--oauth2-* options need --oauth2-token-endpoint.");
    }

    if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
    {
        throw new ArgumentException("--oauth2-token-endpoint must be an absolute http(s):// URL without credentials.");
    }

    if (string.IsNullOrEmpty(clientId))
    {
        throw new ArgumentException("--oauth2-token-endpoint needs --oauth2-client-id.");
    }

    if ((keyFile is null) == string.IsNullOrEmpty(secret))
    {
        throw new ArgumentException($"Give exactly one of --oauth2-client-secret-file ({OAuth2SecretVariable}) and --oauth2-private-key-file.");
    }

    var method = (keyFile, authentication) switch
    {
        (not null, null or "private_key_jwt") => TokenEndpointAuthentication.PrivateKeyJwt,
        (null, null or "client_secret_basic") => TokenEndpointAuthentication.ClientSecretBasic,
        (null, "client_secret_post") => TokenEndpointAuthentication.ClientSecretPost,
        _ => throw new ArgumentException($"--oauth2-client-authentication '{authentication}' does not fit: client_secret_basic or client_secret_post with a secret, private_key_jwt with a key."),
    };
    var pem = keyFile is null ? null : File.ReadAllText(ExistingFile(keyFile, "--oauth2-private-key-file")!);
    if (pem is not null && ClientAssertionKey.Problem(pem) is { } keyProblem)
    {
        throw new ArgumentException($"--oauth2-private-key-file: {keyProblem}");
    }

    return new ClientCredentialsSettings(uri, clientId, method, keyFile is null ? secret : null, pem, keyId, string.IsNullOrWhiteSpace(scope) ? null : scope.Trim());
}

static KeyValuePair<string, string> Header(string header)
{
    var colon = header.IndexOf(':', StringComparison.Ordinal);
    if (colon <= 0)
    {
        throw new ArgumentException($"--header '{header}' is not 'name: value'.");
    }

    return new(header[..colon].Trim().ToLowerInvariant(), header[(colon + 1)..].Trim());
}
