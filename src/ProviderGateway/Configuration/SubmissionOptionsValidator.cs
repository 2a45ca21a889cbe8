using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>The rules of <see cref="SubmissionOptions"/> across its fields: a store needs its keys and its place.</summary>
public sealed class SubmissionOptionsValidator : IValidateOptions<SubmissionOptions>
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
}
