using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProviderGateway.Core;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks <see cref="SecurityOptions"/> at start-up, every problem at once with its key. A gateway with
/// providers configured but no client credentials, journal or journal key refuses to start.
/// </summary>
public sealed partial class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        const string section = SecurityOptions.SectionName;

        if (options.Clients.Count == 0)
        {
            failures.Add(
                $"{section}:Clients is empty: the gateway hands out personal data and does not start without client credentials. " +
                "Add a client with an API key hash (tools/security/new-api-key.sh) or a certificate thumbprint, its Permissions and Districts.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            CheckClient(failures, $"{section}:Clients:{i}", options.Clients[i], ids, keys);
        }

        CheckRateLimit(failures, $"{section}:DefaultRateLimit", options.DefaultRateLimit);
        ConfigurationChecks.CheckPemFile(failures, $"{section}:ClientCaCertificate", options.ClientCaCertificate, certificate: true);
        CheckRevocation(failures, section, options);
        if (options.MaxRequestBytes is < 1024 or > 4 * 1024 * 1024)
        {
            failures.Add($"{section}:MaxRequestBytes must be 1,024 to 4,194,304; it is {options.MaxRequestBytes}.");
        }

        var journal = options.Journal;
        if (string.IsNullOrWhiteSpace(journal.Path))
        {
            failures.Add($"{section}:Journal:Path is required: every personal-data access is appended to this file.");
        }

        if (string.IsNullOrWhiteSpace(journal.SubjectKey))
        {
            failures.Add($"{section}:Journal:SubjectKey is required (base64, at least 32 bytes; generate one with: openssl rand -base64 32).");
        }
        else if (!ConfigurationChecks.IsKey(journal.SubjectKey))
        {
            failures.Add($"{section}:Journal:SubjectKey must be base64 of at least 32 bytes (generate one with: openssl rand -base64 32).");
        }

        if (journal.QueueCapacity is < 16 or > 1_000_000)
        {
            failures.Add($"{section}:Journal:QueueCapacity must be 16 to 1,000,000; it is {journal.QueueCapacity}.");
        }

        CheckJournalIntegrity(failures, $"{section}:Journal", journal);

        CheckPageTokens(failures, $"{section}:PageTokens", options.PageTokens);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckClient(List<string> failures, string key, ClientOptions client, HashSet<string> ids, HashSet<string> keys)
    {
        if (!ClientIdPattern().IsMatch(client.Id))
        {
            failures.Add($"{key}:Id '{client.Id}' must be 1 to 64 characters of a-z, 0-9, '-' and '.', starting with a letter or digit.");
        }
        else if (!ids.Add(client.Id))
        {
            failures.Add($"{key}:Id '{client.Id}' is used by another client; ids must be unique.");
        }

        if (client.ApiKeySha256.Count == 0 && client.CertificateSha256.Count == 0)
        {
            failures.Add($"{key} has neither ApiKeySha256 nor CertificateSha256: it could never authenticate.");
        }

        foreach (var (list, name) in new[] { (client.ApiKeySha256, "ApiKeySha256"), (client.CertificateSha256, "CertificateSha256") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (!Sha256Pattern().IsMatch(list[i]))
                {
                    failures.Add($"{key}:{name}:{i} must be a SHA-256 hash: 64 hexadecimal digits (not the key or certificate itself).");
                }
                else if (!keys.Add(list[i]))
                {
                    failures.Add($"{key}:{name}:{i} is configured twice; every key and certificate belongs to one client.");
                }
            }
        }

        if (client.Permissions.Count == 0)
        {
            failures.Add($"{key}:Permissions is empty: list methods, domains ({string.Join(", ", FrontDeskMethods.Groups)}) or '*'.");
        }

        foreach (var permission in client.Permissions)
        {
            if (!FrontDeskMethods.IsPermission(permission))
            {
                failures.Add($"{key}:Permissions has '{permission}', which is neither a front-desk method, a domain ({string.Join(", ", FrontDeskMethods.Groups)}) nor '*'.");
            }
        }

        if (client.Districts.Count == 0)
        {
            failures.Add($"{key}:Districts is empty: list KATO code prefixes (for example 1952) or '*' for the whole country.");
        }

        foreach (var district in client.Districts)
        {
            if (district != "*" && !DistrictPattern().IsMatch(district))
            {
                failures.Add($"{key}:Districts has '{district}': a KATO prefix is 1 to 9 digits, or '*'.");
            }
        }

        if (client.RateLimit is { } limit)
        {
            CheckRateLimit(failures, $"{key}:RateLimit", limit);
        }
    }

    private static void CheckRevocation(List<string> failures, string section, SecurityOptions options)
    {
        var lists = options.ClientCertificateRevocationLists;
        if (options.ClientCaCertificate is null)
        {
            if (lists.Count > 0)
            {
                failures.Add($"{section}:ClientCertificateRevocationLists is set without {section}:ClientCaCertificate.");
            }

            return;
        }

        if (options.ClientCertificateRevocation == ClientCertificateRevocationMode.Offline && lists.Count == 0)
        {
            failures.Add(
                $"{section}:ClientCertificateRevocation is Offline (the default) but {section}:ClientCertificateRevocationLists is empty: " +
                "give the CRL file of the client certificate authority (PEM or DER), or choose Online (the certificates' CRL distribution " +
                "points are fetched) or NoCheck (revoked certificates are accepted) explicitly.");
        }

        // Whether each file is a CRL its authority signed: Security/RevocationListsValidator.
        for (var i = 0; i < lists.Count; i++)
        {
            if (!File.Exists(lists[i]))
            {
                failures.Add($"{section}:ClientCertificateRevocationLists:{i} '{lists[i]}' does not exist (a CRL file, PEM or DER, is expected).");
            }
        }
    }

    private static void CheckJournalIntegrity(List<string> failures, string key, JournalOptions journal)
    {
        if (string.IsNullOrWhiteSpace(journal.ChainKey))
        {
            failures.Add($"{key}:ChainKey is required (base64, at least 32 bytes; tools/journal/new-journal-keys.sh makes one): it links the journal's lines.");
        }
        else if (!ConfigurationChecks.IsKey(journal.ChainKey))
        {
            failures.Add($"{key}:ChainKey must be base64 of at least 32 bytes (tools/journal/new-journal-keys.sh makes one).");
        }

        if (string.IsNullOrWhiteSpace(journal.SigningKey))
        {
            failures.Add($"{key}:SigningKey is required: the path of a PEM file holding an ECDSA P-256 private key (tools/journal/new-journal-keys.sh makes one); it signs the journal's checkpoints.");
        }
        else if (SigningKeyProblem(journal.SigningKey) is { } problem)
        {
            failures.Add($"{key}:SigningKey '{journal.SigningKey}' {problem}");
        }

        if (journal.InstanceId is not null && !ClientIdPattern().IsMatch(journal.InstanceId))
        {
            failures.Add($"{key}:InstanceId '{journal.InstanceId}' must be 1 to 64 characters of a-z, 0-9, '-' and '.', starting with a letter or digit.");
        }

        if (journal.CheckpointEveryLines is < 1 or > 1_000_000)
        {
            failures.Add($"{key}:CheckpointEveryLines must be 1 to 1,000,000; it is {journal.CheckpointEveryLines}.");
        }

        if (journal.CheckpointInterval < TimeSpan.FromMilliseconds(100) || journal.CheckpointInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{key}:CheckpointInterval must be 00:00:00.1 to 01:00:00; it is {journal.CheckpointInterval}.");
        }

        if (journal.RotateBytes != 0 && journal.RotateBytes < 1024)
        {
            failures.Add($"{key}:RotateBytes must be 0 (no size rotation) or at least 1,024; it is {journal.RotateBytes}.");
        }
    }

    private static string? SigningKeyProblem(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message}";
        }

        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(pem);
            var curve = key.ExportParameters(includePrivateParameters: true).Curve;
            return curve.Oid?.Value == System.Security.Cryptography.ECCurve.NamedCurves.nistP256.Oid.Value || curve.Oid?.FriendlyName is "nistP256" or "ECDSA_P256"
                ? null
                : "is not a P-256 key (make one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt).";
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return "does not hold an ECDSA private key in PEM (make one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt).";
        }
    }

    private static void CheckPageTokens(List<string> failures, string key, PageTokenOptions tokens)
    {
        if (string.IsNullOrWhiteSpace(tokens.Key))
        {
            failures.Add($"{key}:Key is required: page tokens are authenticated with it (base64, at least 32 bytes; generate one with: openssl rand -base64 32).");
        }
        else if (!ConfigurationChecks.IsKey(tokens.Key))
        {
            failures.Add($"{key}:Key must be base64 of at least 32 bytes (generate one with: openssl rand -base64 32).");
        }

        if (!string.IsNullOrWhiteSpace(tokens.PreviousKey) && !ConfigurationChecks.IsKey(tokens.PreviousKey))
        {
            failures.Add($"{key}:PreviousKey must be base64 of at least 32 bytes, or left out.");
        }

        if (tokens.Lifetime < TimeSpan.FromMinutes(1) || tokens.Lifetime > TimeSpan.FromHours(24))
        {
            failures.Add($"{key}:Lifetime must be 1 minute to 24 hours; it is {tokens.Lifetime}.");
        }
    }

    private static void CheckRateLimit(List<string> failures, string key, RateLimitOptions limit)
    {
        if (limit.CallsPerSecond is < 1 or > 1_000_000)
        {
            failures.Add($"{key}:CallsPerSecond must be 1 to 1,000,000; it is {limit.CallsPerSecond}.");
        }

        if (limit.Burst < 1 || limit.Burst > 10_000_000)
        {
            failures.Add($"{key}:Burst must be 1 to 10,000,000; it is {limit.Burst}.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,63}$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9]{1,9}$")]
    private static partial Regex DistrictPattern();
}
