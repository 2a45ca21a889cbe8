using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProviderGateway.Core;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks the rules of <see cref="SecurityOptions"/> no attribute declares (ids, hashes, permissions, districts, keys,
/// files, revocation) at start-up, every problem at once with its key. Ranges and required values (clients, the journal
/// and its keys, the page token key) are declared and checked by <see cref="SecurityOptionsDeclaredValidator"/>: a
/// gateway with providers configured but no client credentials, journal or journal key refuses to start.
/// </summary>
public sealed partial class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        const string section = SecurityOptions.SectionName;

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            CheckClient(failures, $"{section}:Clients:{i}", options.Clients[i], ids, keys);
        }

        ConfigurationChecks.CheckPemFile(failures, $"{section}:ClientCaCertificate", options.ClientCaCertificate, certificate: true);
        CheckRevocation(failures, section, options);
        // A key or file left out is reported by the declared [Required]; here, what one that is set must be.
        var journal = options.Journal;
        if (!string.IsNullOrWhiteSpace(journal.SubjectKey) && !ConfigurationChecks.IsKey(journal.SubjectKey))
        {
            failures.Add($"{section}:Journal:SubjectKey must be base64 of at least 32 bytes (generate one with: openssl rand -base64 32).");
        }

        CheckJournalIntegrity(failures, $"{section}:Journal", journal);

        CheckPageTokens(failures, $"{section}:PageTokens", options.PageTokens);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckClient(List<string> failures, string key, ClientOptions client, HashSet<string> ids, HashSet<string> keys)
    {
        if (string.IsNullOrWhiteSpace(client.Id))
        {
            // Required: reported by the declared checks.
        }
        else if (!ClientIdPattern().IsMatch(client.Id))
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

        foreach (var permission in client.Permissions)
        {
            if (!FrontDeskMethods.IsPermission(permission))
            {
                failures.Add($"{key}:Permissions has '{permission}', which is neither a front-desk method, a domain ({string.Join(", ", FrontDeskMethods.Groups)}) nor '*'.");
            }
        }

        foreach (var district in client.Districts)
        {
            if (district != "*" && !DistrictPattern().IsMatch(district))
            {
                failures.Add($"{key}:Districts has '{district}': a KATO prefix is 1 to 9 digits, or '*'.");
            }
        }

        if (client.DisplayName is { } displayName
            && (displayName.Length is 0 or > 120 || string.IsNullOrWhiteSpace(displayName) || displayName.Any(char.IsControl)))
        {
            failures.Add($"{key}:DisplayName must be 1 to 120 characters without control characters (a line break, a tab…), not blank: the office as a citizen's access history names it.");
        }

        if (client.HiddenFromSubject && client.HiddenFromSubjectUntil is null)
        {
            failures.Add($"{key}:HiddenFromSubjectUntil is required with HiddenFromSubject: the day (yyyy-MM-dd) from which the client's accesses are shown in the citizen's access history.");
        }
        else if (!client.HiddenFromSubject && client.HiddenFromSubjectUntil is not null)
        {
            failures.Add($"{key}:HiddenFromSubjectUntil is set but HiddenFromSubject is not: set HiddenFromSubject to true to withhold the client's accesses from the citizen until that day, or remove the date.");
        }

        foreach (var required in client.RequireConsent)
        {
            if (!ConsentScopes.CanRequire(required))
            {
                failures.Add($"{key}:RequireConsent has '{required}': consent can be required for the groups overview, utilities, land_registry, social_services, access_history, or a method of theirs (each names a citizen).");
            }
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
        if (!string.IsNullOrWhiteSpace(journal.ChainKey) && !ConfigurationChecks.IsKey(journal.ChainKey))
        {
            failures.Add($"{key}:ChainKey must be base64 of at least 32 bytes (tools/journal/new-journal-keys.sh makes one).");
        }

        if (!string.IsNullOrWhiteSpace(journal.SigningKey) && SigningKeyProblem(journal.SigningKey) is { } problem)
        {
            failures.Add($"{key}:SigningKey '{journal.SigningKey}' {problem}");
        }

        if (journal.InstanceId is not null && !ClientIdPattern().IsMatch(journal.InstanceId))
        {
            failures.Add($"{key}:InstanceId '{journal.InstanceId}' must be 1 to 64 characters of a-z, 0-9, '-' and '.', starting with a letter or digit.");
        }

        // Not a plain range: 0 turns size rotation off.
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
        if (!string.IsNullOrWhiteSpace(tokens.Key) && !ConfigurationChecks.IsKey(tokens.Key))
        {
            failures.Add($"{key}:Key must be base64 of at least 32 bytes (generate one with: openssl rand -base64 32).");
        }

        if (!string.IsNullOrWhiteSpace(tokens.PreviousKey) && !ConfigurationChecks.IsKey(tokens.PreviousKey))
        {
            failures.Add($"{key}:PreviousKey must be base64 of at least 32 bytes, or left out.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,63}$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9]{1,9}$")]
    private static partial Regex DistrictPattern();
}
