using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// The rules of <see cref="AccessHistoryOptions"/> with the submissions' (<paramref name="submissions"/>): a PostgreSQL index
/// needs a connection string (its own or the submissions'); every other instance's journal file named must be in a folder
/// that exists.
/// </summary>
public sealed class AccessHistoryOptionsValidator(IOptions<SubmissionOptions> submissions) : IValidateOptions<AccessHistoryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AccessHistoryOptions options)
    {
        const string key = AccessHistoryOptions.SectionName;
        var failures = new List<string>();
        if (options.Store is { } store && !Enum.IsDefined(store))
        {
            failures.Add($"{key}:Store must be Sqlite or Postgres (or left out: the submissions' database).");
        }

        if (StoreOf(options, submissions.Value) == AccessHistoryStoreKind.Postgres && string.IsNullOrWhiteSpace(ConnectionStringOf(options, submissions.Value)))
        {
            failures.Add($"{key}:ConnectionString is required with Store Postgres (or Gateway:Submissions:ConnectionString, which it defaults to).");
        }

        for (var i = 0; i < options.JournalFiles.Count; i++)
        {
            var file = options.JournalFiles[i];
            if (string.IsNullOrWhiteSpace(file) || !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(file))))
            {
                failures.Add($"{key}:JournalFiles:{i} '{file}' is not in a folder that exists: give the path of another instance's journal file (its current file; the rotated ones beside it are read too).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The store in use: as configured, else PostgreSQL when the submissions are there, else SQLite.</summary>
    public static AccessHistoryStoreKind StoreOf(AccessHistoryOptions options, SubmissionOptions submissions) =>
        options.Store ?? (submissions.Store == SubmissionStoreKind.Postgres ? AccessHistoryStoreKind.Postgres : AccessHistoryStoreKind.Sqlite);

    /// <summary>The PostgreSQL connection string in use: as configured, else the submissions'.</summary>
    public static string? ConnectionStringOf(AccessHistoryOptions options, SubmissionOptions submissions) =>
        string.IsNullOrWhiteSpace(options.ConnectionString) ? submissions.ConnectionString : options.ConnectionString;
}
