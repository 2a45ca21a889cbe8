using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The tests' PostgreSQL (the store of durable submissions and of several gateway instances): a real server, run as a
/// non-root user on loopback, durable as the gateway needs it, and killed and restarted without losing what was committed.
/// </summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task A_test_PostgreSQL_commits_synchronously_and_keeps_committed_rows_across_a_SIGKILL()
    {
        // Arrange
        await using var server = await PostgresServer.StartAsync();
        await using (var connection = await server.OpenAsync())
        {
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE receipts (id int PRIMARY KEY); INSERT INTO receipts VALUES (1), (2);";
            await create.ExecuteNonQueryAsync();
        }

        // Act
        await server.KillAsync();
        await server.StartAgainAsync();
        await using var after = await server.OpenAsync();
        await using var count = after.CreateCommand();
        count.CommandText = "SELECT count(*) FROM receipts";
        var rows = (long)(await count.ExecuteScalarAsync())!;
        await using var setting = after.CreateCommand();
        setting.CommandText = "SHOW synchronous_commit";
        var synchronous = (string)(await setting.ExecuteScalarAsync())!;
        await using var address = after.CreateCommand();
        address.CommandText = "SHOW listen_addresses";
        var listen = (string)(await address.ExecuteScalarAsync())!;

        // Assert
        Assert.Equal(2, rows);
        Assert.Equal("on", synchronous);
        Assert.Equal("127.0.0.1", listen);
    }
}
