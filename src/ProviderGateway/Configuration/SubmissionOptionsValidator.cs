using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// The rules of <see cref="SubmissionOptions"/> across its fields: a store needs its keys and its place; and with the
/// providers' configuration (<paramref name="gateway"/>, when given): a lease outlasts every provider's deadline.
/// </summary>
public sealed class SubmissionOptionsValidator(IOptions<GatewayOptions>? gateway = null) : IValidateOptions<SubmissionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SubmissionOptions options)
    {
        const string key = SubmissionOptions.SectionName;
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Store))
        {
            failures.Add($"{key}:Store must be Sqlite, Postgres or None.");
        }

        if (options.Store == SubmissionStoreKind.None)
        {
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        if (ConfigurationChecks.Base64Length(options.SealKey) != 32)
        {
            failures.Add($"{key}:SealKey must be base64 of exactly 32 bytes (AES-256; generate one with: openssl rand -base64 32): stored submissions are sealed with it.");
        }

        if (!ConfigurationChecks.IsKey(options.CitizenKey))
        {
            failures.Add($"{key}:CitizenKey must be base64 of at least 32 bytes (generate one with: openssl rand -base64 32): it stands for the citizen's IIN in the store.");
        }

        ValidatePreviousSealKeys(options, failures);
        if (gateway is not null)
        {
            // A lease that ends while its attempt is still running lets another instance attempt the submission meanwhile,
            // and this relay gives back every leased submission it could not attempt within its lease.
            var configured = gateway.Value;
            foreach (var provider in configured.Providers)
            {
                var deadline = provider.Deadline ?? configured.DefaultProviderDeadline;
                if (options.Lease <= deadline)
                {
                    failures.Add($"{key}:Lease ({options.Lease}) must be longer than the deadline of provider '{provider.Id}' ({deadline}): a lease must outlast the attempt it covers.");
                }
            }
        }

        if (options.Store == SubmissionStoreKind.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{key}:ConnectionString is required with Store Postgres (for example Host=db.example;Database=gateway;Username=gateway).");
        }

        if (options.Store == SubmissionStoreKind.Sqlite && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{key}:ConnectionString is for Store Postgres; a SQLite store is a file, SqlitePath.");
        }

        if (options.FirstRetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"{key}:FirstRetryDelay ({options.FirstRetryDelay}) must not exceed MaxRetryDelay ({options.MaxRetryDelay}).");
        }

        if (options.MaxAge <= options.FirstRetryDelay)
        {
            failures.Add($"{key}:MaxAge ({options.MaxAge}) must be longer than FirstRetryDelay ({options.FirstRetryDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Earlier seal keys: each under an id of its own (not the current key's) and of the current key's size; never the
    // citizen key. The messages name ids, never key material.
    private static void ValidatePreviousSealKeys(SubmissionOptions options, List<string> failures)
    {
        const string key = SubmissionOptions.SectionName + ":PreviousSealKeys";
        foreach (var (id, value) in options.PreviousSealKeys)
        {
            if (!int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var keyId) || keyId is < 1 or > short.MaxValue)
            {
                failures.Add($"{key}:{id}: a seal key's id must be a number from 1 to 32767.");
                continue;
            }

            if (keyId == options.SealKeyId)
            {
                failures.Add($"{key}:{id}: id {keyId} is the current SealKeyId's; an earlier key needs the id it was used under.");
            }

            if (ConfigurationChecks.Base64Length(value) != 32)
            {
                failures.Add($"{key}:{id} must be base64 of exactly 32 bytes (AES-256), the key once configured as SealKey under id {keyId}.");
            }
            else if (ConfigurationChecks.Base64Length(options.CitizenKey) > 0 && SameBytes(value, options.CitizenKey!))
            {
                failures.Add($"{key}:{id} is the CitizenKey: a seal key must differ from it.");
            }
        }
    }

    private static bool SameBytes(string first, string second)
    {
        try
        {
            return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(first.Trim()), Convert.FromBase64String(second.Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
