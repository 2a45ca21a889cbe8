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

        Options:
          --seed PATH                         seed file (default: seed/demo-seed.json next to the executable)
          --certificate-ready-after 00:00:30  time until a certificate order is READY (0 = at once)
          --require-api-key KEY               refuse every gRPC call without KEY in x-api-key (UNAUTHENTICATED);
                                              with --provider-id only (or DEMOPROVIDERS_RequiredApiKey)
          --api-key-header NAME               the header of that key (default x-api-key)
          --Faults:LatencyMs=200              delay before every answer, in milliseconds
          --Faults:ErrorRate=0.3              share of calls (0 to 1) failing with Faults:ErrorCode
          --Faults:ErrorCode=Unavailable      gRPC status of those failures
          --Faults:RandomSeed=42              seed of the random failures, for repeatable runs
          --Faults:Hang=true                  accept calls and never answer
          --Faults:Down=true                  answer UNAVAILABLE (PROVIDER_DOWN), health NOT_SERVING
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
