using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// The rules of <see cref="ConsentOptions"/> with the clients' (<paramref name="security"/>): an authority when any
/// client's calls need consent (<see cref="ClientOptions.RequireConsent"/>, or the access history of a client that is
/// not a data-protection officer); an absolute <c>http</c> or <c>https</c> address; a CA file that exists.
/// </summary>
public sealed class ConsentOptionsValidator(IOptions<SecurityOptions> security) : IValidateOptions<ConsentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConsentOptions options)
    {
        const string key = ConsentOptions.SectionName;
        var failures = new List<string>();
        if (options.Authority is null)
        {
            foreach (var client in security.Value.Clients)
            {
                if (client.RequireConsent.Count > 0)
                {
                    failures.Add($"{key}:Authority is required: client '{client.Id}' needs the citizen's consent (RequireConsent), which only a consent authority can verify.");
                }
                else if (!client.DataProtectionOfficer && client.Permissions.Any(p => p is "access_history" or "ListDataAccesses"))
                {
                    failures.Add($"{key}:Authority is required: client '{client.Id}' may read access histories, which needs the citizen's consent unless the client is a DataProtectionOfficer.");
                }
            }
        }
        else if (!options.Authority.IsAbsoluteUri || options.Authority.Scheme is not ("http" or "https") || options.Authority.PathAndQuery != "/")
        {
            failures.Add($"{key}:Authority must be an http:// or https:// address with no path, for example https://consent.example.kz:443 (it is '{options.Authority}').");
        }

        if (options.CaCertificate is { } ca && !File.Exists(ca))
        {
            failures.Add($"{key}:CaCertificate names '{ca}', which does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
