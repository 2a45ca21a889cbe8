using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class SubmissionOptionsValidatorTests
{
    private const string SealKey = "c3VibWlzc2lvbi1zZWFsLWtleS1vZi10aGUtdGVzdHM=";
    private const string CitizenKey = "c3VibWlzc2lvbi1jaXRpemVuLWtleS1vZi10aGUtdGU=";

    [Fact]
    public void No_store_needs_nothing_else()
    {
        Assert.Empty(SectionValidation.Failures(new SubmissionOptions()));
    }

    [Fact]
    public void A_SQLite_store_with_its_keys_is_valid_and_a_PostgreSQL_one_needs_its_connection_string()
    {
        Assert.Empty(SectionValidation.Failures(new SubmissionOptions { Store = SubmissionStoreKind.Sqlite, SealKey = SealKey, CitizenKey = CitizenKey }));
        Assert.Empty(SectionValidation.Failures(new SubmissionOptions { Store = SubmissionStoreKind.Postgres, SealKey = SealKey, CitizenKey = CitizenKey, ConnectionString = "Host=db;Database=gateway" }));

        var failures = SectionValidation.Failures(new SubmissionOptions { Store = SubmissionStoreKind.Postgres, SealKey = SealKey, CitizenKey = CitizenKey });

        Assert.StartsWith("Gateway:Submissions:ConnectionString", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Gateway:Submissions:SealKey")]
    [InlineData("c2hvcnQ=", "Gateway:Submissions:SealKey")]
    [InlineData("c3VibWlzc2lvbi1zZWFsLWtleS1vZi10aGUtdGVzdHMtdG9vLWxvbmc=", "Gateway:Submissions:SealKey")]
    public void A_seal_key_that_is_not_32_bytes_is_refused_without_quoting_it(string? key, string named)
    {
        var failures = SectionValidation.Failures(new SubmissionOptions { Store = SubmissionStoreKind.Sqlite, SealKey = key, CitizenKey = CitizenKey });

        var failure = Assert.Single(failures);
        Assert.StartsWith(named, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(key ?? "\0", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var failures = SectionValidation.Failures(new SubmissionOptions
        {
            Store = SubmissionStoreKind.Sqlite,
            ConnectionString = "Host=db",
            FirstRetryDelay = TimeSpan.FromMinutes(10),
            MaxRetryDelay = TimeSpan.FromMinutes(1),
            Lease = TimeSpan.FromSeconds(1),
        });

        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:SealKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:CitizenKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:FirstRetryDelay", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:Lease", StringComparison.Ordinal));
    }
}
