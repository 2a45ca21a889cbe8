using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace ProviderGateway.DemoProviders.Standalone;

/// <summary>
/// The standalone demo providers' settings, from (lowest to highest precedence) <c>appsettings.json</c>
/// next to the executable, <c>DEMOPROVIDERS_</c> environment variables and the command line.
/// </summary>
internal sealed class StandaloneSettings
{
    public const string Usage = """
        Usage:
          ProviderGateway.DemoProviders.Standalone --provider-id ID [--url http://127.0.0.1:6001] [options]
          ProviderGateway.DemoProviders.Standalone --all [--base-port 6001] [--host 127.0.0.1] [options]
          ProviderGateway.DemoProviders.Standalone --consent-authority [--url http://127.0.0.1:6100]
                                              the demo consent authority (consent.v1); codes at GET /demo/consent/outbox

        Options:
          --seed PATH                         seed file (default: seed/demo-seed.json next to the executable)
          --certificate-ready-after 00:00:30  time until a certificate order is READY (0 = at once)
          --require-api-key KEY               refuse every gRPC call without KEY in x-api-key (UNAUTHENTICATED);
                                              with --provider-id only (or DEMOPROVIDERS_RequiredApiKey)
          --api-key-header NAME               the header of that key (default x-api-key)
          --require-oauth2-client ID:SECRET   refuse every gRPC call without a bearer token from the demo token endpoint,
                                              which issues them to client ID with SECRET (client_secret_basic or _post);
                                              with --provider-id only
          --token-url http://127.0.0.1:6101   where that token endpoint listens (POST /connect/token)
          --Faults:LatencyMs=200              delay before every answer, in milliseconds
          --Faults:ErrorRate=0.3              share of calls (0 to 1) failing with Faults:ErrorCode
          --Faults:ErrorCode=Unavailable      gRPC status of those failures
          --Faults:RandomSeed=42              seed of the random failures, for repeatable runs
          --Faults:Hang=true                  accept calls and never answer
          --Faults:Down=true                  answer UNAVAILABLE (PROVIDER_DOWN), health NOT_SERVING
          --Faults:LoseWriteAnswers=true      apply each write, then answer UNAVAILABLE (WRITE_ANSWER_LOST)
        """;

    private static readonly Dictionary<string, string> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--provider-id"] = "ProviderId",
        ["--url"] = "Url",
        ["--base-port"] = "BasePort",
        ["--host"] = "Host",
        ["--seed"] = "SeedPath",
        ["--certificate-ready-after"] = "CertificateReadyAfter",
        ["--require-api-key"] = "RequiredApiKey",
        ["--api-key-header"] = "ApiKeyHeader",
        ["--require-oauth2-client"] = "RequiredOAuth2Client",
        ["--token-url"] = "TokenUrl",
    };

    public bool All { get; private init; }

    public string? ProviderId { get; private init; }

    public string Url { get; private init; } = "http://127.0.0.1:6001";

    public int BasePort { get; private init; } = 6001;

    public string Host { get; private init; } = "127.0.0.1";

    public required DemoSeed Seed { get; init; }

    public TimeSpan CertificateReadyAfter { get; private init; } = TimeSpan.FromSeconds(30);

    public required DemoFaultOptions Faults { get; init; }

    public string? RequiredApiKey { get; private init; }

    public string ApiKeyHeader { get; private init; } = "x-api-key";

    /// <summary>The client the demo token endpoint issues tokens to, when the provider requires OAuth2 bearer tokens.</summary>
    public DemoTokenClient? OAuth2Client { get; private init; }

    /// <summary>Where the demo token endpoint listens.</summary>
    public string? TokenUrl { get; private init; }

    /// <summary>Reads and checks the settings; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryRead(string[] args, [NotNullWhen(true)] out StandaloneSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        // "--all" is a flag: the command-line configuration provider would take the next argument as its value.
        var all = args.Any(a => a.Equals("--all", StringComparison.OrdinalIgnoreCase));
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("DEMOPROVIDERS_")
            .AddCommandLine([.. args.Where(a => !a.Equals("--all", StringComparison.OrdinalIgnoreCase))], Switches)
            .Build();

        var problems = new List<string>();
        try
        {
            var providerId = configuration["ProviderId"];
            if (all == (providerId is not null))
            {
                problems.Add("Give either --provider-id ID (one provider) or --all (every provider of the seed).");
            }

            var faults = configuration.GetSection("Faults").Get<DemoFaultSettings>() ?? new DemoFaultSettings();
            problems.AddRange(faults.Validate().Select(p => "Faults: " + p));
            var certificateReadyAfter = configuration.GetValue("CertificateReadyAfter", TimeSpan.FromSeconds(30));
            if (certificateReadyAfter < TimeSpan.Zero)
            {
                problems.Add("--certificate-ready-after must not be negative.");
            }

            var basePort = configuration.GetValue("BasePort", 6001);
            if (basePort is < 0 or > 65535)
            {
                problems.Add("--base-port must be a port number (0 gives every provider a free port).");
            }

            var host = configuration["Host"] ?? "127.0.0.1";
            if (host != "localhost" && !IPAddress.TryParse(host, out _))
            {
                problems.Add("--host must be an IP address or localhost.");
            }

            var requiredApiKey = configuration["RequiredApiKey"];
            if (requiredApiKey is not null && (all || requiredApiKey.Length == 0 || requiredApiKey.Any(c => c is < '!' or > '~')))
            {
                problems.Add("--require-api-key takes a key of printable ASCII without spaces, with --provider-id (one provider).");
            }

            var oauth2 = configuration["RequiredOAuth2Client"];
            var colon = oauth2?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            var tokenUrl = configuration["TokenUrl"];
            if (oauth2 is not null && (all || colon < 1 || colon == oauth2.Length - 1 || oauth2.Any(c => c is < '!' or > '~') || tokenUrl is null))
            {
                problems.Add("--require-oauth2-client takes ID:SECRET (printable ASCII without spaces), with --provider-id (one provider) and --token-url.");
            }
            else if (oauth2 is null && tokenUrl is not null)
            {
                problems.Add("--token-url is only for --require-oauth2-client.");
            }

            var seed = DemoSeed.Load(configuration["SeedPath"]);
            if (providerId is not null && seed.FindProvider(providerId) is null)
            {
                problems.Add($"Unknown provider id '{providerId}'. Valid ids: {string.Join(", ", seed.Providers.Select(p => p.Id))}.");
            }

            if (problems.Count == 0)
            {
                settings = new StandaloneSettings
                {
                    All = all,
                    ProviderId = providerId,
                    Url = configuration["Url"] ?? "http://127.0.0.1:6001",
                    BasePort = basePort,
                    Host = host,
                    Seed = seed,
                    CertificateReadyAfter = certificateReadyAfter,
                    Faults = faults.ApplyTo(new DemoFaultOptions()),
                    RequiredApiKey = requiredApiKey,
                    ApiKeyHeader = configuration["ApiKeyHeader"] ?? "x-api-key",
                    OAuth2Client = oauth2 is null ? null : new DemoTokenClient { ClientId = oauth2[..colon], ClientSecret = oauth2[(colon + 1)..] },
                    TokenUrl = tokenUrl,
                };
            }
        }
        catch (Exception e) when (e is InvalidOperationException or DemoSeedException)
        {
            // The configuration binder's message names the key and the type it could not convert to.
            problems.Add(e.Message);
        }

        error = problems.Count == 0 ? null : string.Join(Environment.NewLine, problems);
        return error is null;
    }
}
