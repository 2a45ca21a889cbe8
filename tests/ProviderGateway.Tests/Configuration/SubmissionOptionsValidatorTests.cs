using Microsoft.Extensions.Options;
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

    [Fact]
    public void Earlier_seal_keys_need_their_own_id_and_32_bytes_and_are_refused_without_quoting_them()
    {
        const string Earlier = "ZWFybGllci1zZWFsLWtleS1vZi10aGUtdGVzdHMtMzI=";
        Assert.Empty(SectionValidation.Failures(Sqlite(new() { ["1"] = Earlier }, sealKeyId: 2)));

        var failures = SectionValidation.Failures(Sqlite(
            new() { ["2"] = Earlier, ["0"] = Earlier, ["one"] = Earlier, ["3"] = "c2hvcnQ=", ["4"] = CitizenKey },
            sealKeyId: 2));

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:PreviousSealKeys:2: id 2 is the current SealKeyId's", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:PreviousSealKeys:0: a seal key's id must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:PreviousSealKeys:one: a seal key's id must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:PreviousSealKeys:3 must be base64 of exactly 32 bytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Submissions:PreviousSealKeys:4 is the CitizenKey", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain(Earlier, f, StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain(CitizenKey, f, StringComparison.Ordinal));
    }

    [Fact]
    public void A_lease_no_longer_than_a_providers_deadline_is_refused_naming_the_provider()
    {
        var gateway = Options.Create(new GatewayOptions
        {
            DefaultProviderDeadline = TimeSpan.FromSeconds(2),
            Providers = [new ProviderOptions { Id = "alatau-power" }, new ProviderOptions { Id = "land-registry", Deadline = TimeSpan.FromSeconds(30) }],
        });
        var validator = new SubmissionOptionsValidator(gateway);
        var options = Sqlite([], sealKeyId: 1);

        var shortLease = validator.Validate(null, new SubmissionOptions { Store = options.Store, SealKey = SealKey, CitizenKey = CitizenKey, Lease = TimeSpan.FromSeconds(30) });
        var longLease = validator.Validate(null, new SubmissionOptions { Store = options.Store, SealKey = SealKey, CitizenKey = CitizenKey, Lease = TimeSpan.FromSeconds(31) });

        Assert.True(longLease.Succeeded, longLease.FailureMessage);
        var failure = Assert.Single(shortLease.Failures!);
        Assert.Equal("Gateway:Submissions:Lease (00:00:30) must be longer than the deadline of provider 'land-registry' (00:00:30): a lease must outlast the attempt it covers.", failure);
    }

    private static SubmissionOptions Sqlite(Dictionary<string, string> previous, int sealKeyId) =>
        new() { Store = SubmissionStoreKind.Sqlite, SealKey = SealKey, SealKeyId = sealKeyId, CitizenKey = CitizenKey, PreviousSealKeys = previous };
}
