using System.CommandLine;
using System.Text.RegularExpressions;
using ProviderGateway.Conformance.Reporting;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.Validation;

// The conformance kit's command line. Exit codes: 0 conformant, 1 a check failed, 2 bad usage.
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
var callTimeout = new Option<double>("--call-timeout")
{
    Description = "Deadline of each call, in seconds.",
    DefaultValueFactory = _ => 10,
};
var junit = new Option<string?>("--junit") { Description = "Where to write the JUnit XML report. Default: conformance-DOMAIN.xml in the current folder." };

var root = new RootCommand("ProviderGateway conformance kit: checks a provider implementation of a ProviderGateway contract over the wire.")
{
    target, domain, citizen, otherCitizen, unknownCitizen, missingCadastral, kato, cadastralPattern, headers, tls, ca, callTimeout, junit,
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

static KeyValuePair<string, string> Header(string header)
{
    var colon = header.IndexOf(':', StringComparison.Ordinal);
    if (colon <= 0)
    {
        throw new ArgumentException($"--header '{header}' is not 'name: value'.");
    }

    return new(header[..colon].Trim().ToLowerInvariant(), header[(colon + 1)..].Trim());
}
