using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.Hosting;

namespace ProviderGateway.FunctionalTests;

public sealed class GatewayStartupTests
{
    [Fact]
    public async Task A_bad_provider_configuration_stops_start_up_naming_every_bad_key()
    {
        var start = TestGateway.StartAsync(
        [
            new ConfiguredProvider("power", "electricity", new Uri("http://127.0.0.1:1"), ["1952"]),
            new ConfiguredProvider("power", "utilities", new Uri("http://127.0.0.1:2"), []),
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => start);

        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:Domain 'electricity'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:KatoCodes:0 '1952'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:1:Id 'power' is used by another provider", StringComparison.Ordinal));
    }

    /// <summary>
    /// Registration in one entry: the minimal production file that tools/provision/new-production-config.sh generates,
    /// plus one provider's entry, is all a gateway needs to start in production (no demo providers, no test client); the
    /// desk client it made is served with the API key the script printed once.
    /// </summary>
    [Fact]
    public async Task The_generated_production_file_and_one_provider_entry_start_a_gateway_that_serves_its_client()
    {
        // Arrange
        var folder = Directory.CreateTempSubdirectory("pg-production-");
        try
        {
            var script = await ScriptRunner.RunProgramAsync(
                Path.Combine(Repository.Root, "tools", "provision", "new-production-config.sh"),
                "--out", folder.FullName, "--journal", Path.Combine(folder.FullName, "journal.jsonl"), "--client", "karasai-desk");
            Assert.True(script.ExitCode == 0, script.Output + script.Error);
            var apiKey = System.Text.RegularExpressions.Regex.Match(script.Output, @"pgk_[A-Za-z0-9_-]+").Value;
            var file = Path.Combine(folder.FullName, "appsettings.Production.json");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            Assert.DoesNotContain(apiKey, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            await using var provider = await DemoProviders.DemoProviderServer.StartAsync(new DemoProviders.DemoProviderServerOptions { ProviderId = "alatau-power", Seed = DemoData.Seed });
            var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "alatau-power");

            // Act
            var gateway = await TestGateway.StartAsync(
                [new ConfiguredProvider("alatau-power", "utilities", provider.Address, [])],
                withTestClient: false,
                configure: configuration => Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(configuration, file, optional: false));
            GetUtilityAccountBalanceResponse answer;
            await using (gateway)
            {
                answer = await gateway.ClientWith(apiKey, "op-1", "citizen-enquiry").GetUtilityAccountBalanceAsync(
                    new GetUtilityAccountBalanceRequest { ProviderId = "alatau-power", Iin = account.Iin, AccountNumber = account.AccountNumber });
            }

            // Assert (the journal is complete once the gateway has stopped)
            Assert.Null(gateway.Application.EmbeddedProviders);
            Assert.Equal(account.AccountNumber, answer.Balance.AccountNumber);
            Assert.Single(JournalFile.Entries(Path.Combine(folder.FullName, "journal.jsonl")), e => e.GetProperty("client").GetString() == "karasai-desk");

            // A second run into the same folder refuses to overwrite the secrets.
            var again = await ScriptRunner.RunProgramAsync(Path.Combine(Repository.Root, "tools", "provision", "new-production-config.sh"), "--out", folder.FullName);
            Assert.Equal(1, again.ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Start_up_lists_every_problem_of_every_section_at_once()
    {
        var provider = new ConfiguredProvider("water", "utilities", new Uri("http://10.1.2.3:6001"), ["1952"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestGateway.StartAsync(
            [provider],
            new GatewaySettings
            {
                ["Gateway:Providers:0:MaxConcurrentCalls"] = "0",
                ["Gateway:Caching:KeySecret"] = null,
                ["Gateway:Caching:MemoryMaxEntries"] = "0",
                ["Gateway:Resilience:DeadlineMargin"] = "-00:00:01",
                ["Gateway:Resilience:Retry:MaxRetries"] = "11",
                ["Gateway:Resilience:Retry:MaxDelay"] = "00:00:00.001",
                ["Gateway:Security:MaxRequestBytes"] = "10",
                ["Gateway:Telemetry:OtlpProtocol"] = "http",
                ["Gateway:Telemetry:OtlpEndpoint"] = "otel-collector:4317",
                ["Gateway:BrowserDesks:AllowedOrigins:0"] = "*",
            },
            withTestClient: false));

        // The gateway, a provider, caching, resilience, security, telemetry and browser desks sections, all wrong, in declared
        // ranges (checked by the generated validators) and in hand-written rules alike: every problem in one failure.
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:MaxConcurrentCalls must be between 1 and", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Caching:MemoryMaxEntries must be between 1 and", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Resilience:Retry:MaxRetries must be between 0 and 10", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Resilience:Retry:MaxDelay must not be below", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:MaxRequestBytes must be between 1024 and 4194304", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Telemetry:OtlpProtocol must be grpc or http/protobuf", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Telemetry:OtlpEndpoint must be an absolute", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:BrowserDesks:AllowedOrigins:0 '*' is not allowed", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:KatoCodes:0 '1952'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:Endpoint 'http://10.1.2.3:6001/' is cleartext", StringComparison.Ordinal) || f.StartsWith("Gateway:Providers:0:Endpoint 'http://10.1.2.3:6001' is cleartext", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Caching:KeySecret is missing", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Resilience:DeadlineMargin", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Clients is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:Journal:ChainKey is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Security:PageTokens:Key is required", StringComparison.Ordinal));
        Assert.Equal(error.Failures.Count(), error.Failures.Distinct().Count());
    }

    [Fact]
    public async Task A_production_gateway_without_its_cache_secrets_does_not_start()
    {
        var provider = new ConfiguredProvider("land", "land_registry", new Uri("http://127.0.0.1:1"), []);

        var noKeySecret = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestGateway.StartAsync([provider], new GatewaySettings { ["Gateway:Caching:KeySecret"] = null }));
        var noEncryptionKey = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestGateway.StartAsync([provider], new GatewaySettings().WithCaching(c => c.Redis("127.0.0.1:1"))));

        Assert.Contains(noKeySecret.Failures, f => f.StartsWith("Gateway:Caching:KeySecret is missing", StringComparison.Ordinal));
        Assert.Contains(noEncryptionKey.Failures, f => f.StartsWith("Gateway:Caching:EncryptionKey is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_nothing_configured_the_gateway_runs_every_demo_provider_in_process()
    {
        await using var gateway = await TestGateway.StartAsync();

        var directory = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());

        Assert.Equal(DemoData.Seed.Providers.Count, gateway.EmbeddedProviders.Servers.Count);
        Assert.Equal(gateway.EmbeddedProviders.Servers.Select(s => s.ProviderId), directory.Providers.Select(p => p.ProviderId));
        Assert.All(gateway.EmbeddedProviders.Servers, s => Assert.Equal("127.0.0.1", s.Address.Host));
    }

    [Fact]
    public async Task The_gateway_process_logs_its_addresses_and_an_example_command()
    {
        await using var process = await GatewayProcess.StartAsync();

        Assert.Contains("running 9 demo providers in-process", process.LogMessages, StringComparison.Ordinal);
        Assert.Contains($"Try it: GATEWAY_ADDR={process.GrpcAuthority} tools/grpcurl/overview.sh", process.LogMessages, StringComparison.Ordinal);
        Assert.Contains(
            $"grpcurl -plaintext -H 'x-api-key: {EmbeddedDemoProviders.DevelopmentApiKey}' -H 'x-operator-id: demo-operator' -H 'x-access-purpose: citizen-enquiry' " +
            $"-d '{{\"iin\":\"<IIN>\"}}' {process.GrpcAuthority} providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview",
            process.LogMessages,
            StringComparison.Ordinal);
        Assert.Contains("SECURITY WARNING", process.LogMessages, StringComparison.Ordinal);
        Assert.Contains(EmbeddedDemoProviders.DevelopmentApiKey, process.LogMessages, StringComparison.Ordinal);
    }
}
