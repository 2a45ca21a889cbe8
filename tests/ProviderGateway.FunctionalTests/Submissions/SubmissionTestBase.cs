using Microsoft.Data.Sqlite;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>
/// What the submissions' end-to-end tests share: a demo power provider on loopback (its faults and its ledger of writes
/// the tests' levers) and a temporary folder for the store's file, both gone after each test.
/// </summary>
public abstract class SubmissionTestBase(string folderPrefix) : IAsyncLifetime
{
    /// <summary>The test's temporary folder.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    /// <summary>The demo provider <c>alatau-power</c>, started for the test.</summary>
    protected DemoProviderServer Power { get; private set; } = null!;

    /// <summary>The SQLite store's file in <see cref="Folder"/>.</summary>
    protected string DatabasePath => Path.Combine(Folder, "submissions.db");

    /// <inheritdoc />
    public async Task InitializeAsync() => Power = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "alatau-power" });

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Power.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
