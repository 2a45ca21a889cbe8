using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Security;

/// <summary>
/// Checks at start-up that each of <see cref="SecurityOptions.ClientCertificateRevocationLists"/> is a CRL signed by
/// <see cref="SecurityOptions.ClientCaCertificate"/>, as <see cref="ClientCertificateRevocation"/> will read it. The
/// plain rules of the section (files given, modes) are <see cref="SecurityOptionsValidator"/>'s.
/// </summary>
public sealed class RevocationListsValidator : IValidateOptions<SecurityOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var lists = options.ClientCertificateRevocationLists;
        if (options.ClientCaCertificate is null || lists.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        X509Certificate2? authority = null;
        try
        {
            authority = File.Exists(options.ClientCaCertificate) ? X509Certificate2.CreateFromPem(File.ReadAllText(options.ClientCaCertificate)) : null;
        }
        catch (CryptographicException)
        {
            // Reported by SecurityOptionsValidator's PEM check.
        }

        var failures = new List<string>();
        using (authority)
        {
            for (var i = 0; i < lists.Count; i++)
            {
                if (authority is null || !File.Exists(lists[i]))
                {
                    continue; // reported by SecurityOptionsValidator
                }

                try
                {
                    _ = CertificateRevocationList.Load(File.ReadAllBytes(lists[i]), authority);
                }
                catch (InvalidDataException ex)
                {
                    failures.Add($"{SecurityOptions.SectionName}:ClientCertificateRevocationLists:{i} '{lists[i]}' cannot be used: {ex.Message}.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
