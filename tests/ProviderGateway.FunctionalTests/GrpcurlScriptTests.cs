using System.Text.Json;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>The gateway process started as the README says (embedded default), once for these tests.</summary>
public sealed class GatewayProcessFixture : IAsyncLifetime
{
    private GatewayProcess? _process;

    /// <summary>The running gateway.</summary>
    public GatewayProcess Gateway => _process ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _process = await GatewayProcess.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

/// <summary>
/// Every script in tools/grpcurl/ run through buf curl (CI has no grpcurl) against a live gateway
/// process in its embedded default, as an integration tester would run them.
/// </summary>
public sealed class GrpcurlScriptTests(GatewayProcessFixture fixture) : IClassFixture<GatewayProcessFixture>
{
    // Every script has at least one test below; Every_script_is_tested checks this list against the folder.
    private static readonly string[] TestedScripts =
    [
        "overview.sh", "stream-overview.sh", "accounts.sh", "account-balance.sh", "invoices.sh", "payments.sh", "meter-reading.sh",
        "parcels.sh", "parcel.sh", "certificate-order.sh", "certificate-status.sh", "benefits.sh",
        "benefit-payments.sh", "eligibility.sh", "application.sh", "application-status.sh", "providers.sh",
        "health.sh", "list-services.sh", "submission.sh", "submissions.sh", "cancel-submission.sh",
        "request-consent.sh", "consent-code.sh", "confirm-consent.sh", "list-data-accesses.sh",
    ];

    private string Gateway => fixture.Gateway.GrpcAuthority;

    [Fact]
    public void Every_script_is_tested()
    {
        var scripts = Directory.GetFiles(Repository.GrpcurlScripts, "*.sh").Select(Path.GetFileName).Where(n => !n!.StartsWith('_'));

        Assert.Equal(scripts.Order(), TestedScripts.Order());
    }

    [Fact]
    public async Task Overview_script_shows_every_demo_provider_live()
    {
        var result = await Run("overview.sh");

        var results = result.Json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(DemoData.Seed.Providers.Count, results.Count);
        Assert.All(results, r => Assert.Equal("FRESHNESS_LIVE", r.GetProperty("source").GetProperty("freshness").GetString()));
        Assert.True(result.Json.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task Stream_overview_script_prints_the_providers_then_each_result_then_completeness()
    {
        var result = await Run("stream-overview.sh");

        var messages = result.JsonMessages;
        var count = DemoData.Seed.Providers.Count;
        Assert.Equal(count + 2, messages.Count);
        Assert.Equal(count, messages[0].GetProperty("started").GetProperty("providers").GetArrayLength());
        // Live, or cached by the overview script's call before: never an error.
        Assert.All(messages.Skip(1).Take(count), m => Assert.False(m.GetProperty("result").GetProperty("source").GetProperty("status").TryGetProperty("code", out _)));
        Assert.True(messages[^1].GetProperty("finished").GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task Overview_script_with_an_invalid_IIN_exits_with_INVALID_ARGUMENT()
    {
        var result = await ScriptRunner.RunAsync(Gateway, "overview.sh", "791028302729");

        Assert.Equal(3 << 3, result.ExitCode); // buf curl exits with the gRPC code shifted left by 3
        Assert.Contains("invalid_argument", result.Error, StringComparison.Ordinal);
        Assert.Contains("google.rpc.BadRequest", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounts_script_lists_the_demo_citizens_accounts()
    {
        var iin = DemoData.Seed.Citizens[0].Iin;
        var expected = DemoData.Seed.UtilityAccounts.Where(a => a.Iin == iin).Select(a => a.AccountNumber).Order();

        var result = await Run("accounts.sh");

        var numbers = result.Json.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("account").GetProperty("accountNumber").GetString());
        Assert.Equal(expected, numbers.Order());
    }

    [Fact]
    public async Task Account_balance_invoices_and_payments_scripts_answer_for_the_demo_account()
    {
        var balance = await Run("account-balance.sh");
        var invoices = await Run("invoices.sh");
        var payments = await Run("payments.sh");

        Assert.Equal("KZT", balance.Json.GetProperty("balance").GetProperty("balance").GetProperty("currencyCode").GetString());
        Assert.NotEmpty(invoices.Json.GetProperty("invoices").EnumerateArray());
        Assert.True(payments.Json.TryGetProperty("source", out _));
    }

    [Fact]
    public async Task Meter_reading_script_submits_a_reading()
    {
        var iin = DemoData.Seed.Citizens[0].Iin;
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Iin == iin && a.Meters.Count > 0);
        var value = account.Meters[0].LastReadingMilliUnits + 1_000;

        var result = await Run("meter-reading.sh", value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var reading = result.Json.GetProperty("reading");
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), reading.GetProperty("valueMilliUnits").GetString());
        Assert.Equal(account.AccountNumber, reading.GetProperty("accountNumber").GetString());
    }

    [Fact]
    public async Task Parcel_scripts_find_parcels_by_owner_and_by_cadastral_number()
    {
        var parcels = await Run("parcels.sh");
        var parcel = await Run("parcel.sh");

        Assert.NotEmpty(parcels.Json.GetProperty("parcels").EnumerateArray());
        Assert.Matches(@"^\d{2}-\d{3}-\d{3}-\d{3}$", parcel.Json.GetProperty("parcel").GetProperty("cadastralNumber").GetString());
    }

    [Fact]
    public async Task Certificate_scripts_order_a_certificate_and_follow_it()
    {
        var order = await Run("certificate-order.sh");
        var orderId = order.Json.GetProperty("order").GetProperty("orderId").GetString()!;

        var status = await Run("certificate-status.sh", orderId);

        Assert.Equal(orderId, status.Json.GetProperty("order").GetProperty("orderId").GetString());
        Assert.StartsWith("CERTIFICATE_ORDER_STATE_", status.Json.GetProperty("order").GetProperty("state").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Benefit_scripts_list_benefits_payments_and_check_eligibility()
    {
        var benefits = await Run("benefits.sh");
        var payments = await Run("benefit-payments.sh");
        var eligibility = await Run("eligibility.sh");

        Assert.NotEmpty(benefits.Json.GetProperty("benefits").EnumerateArray());
        Assert.NotEmpty(payments.Json.GetProperty("payments").EnumerateArray());
        Assert.NotEmpty(eligibility.Json.GetProperty("reasons").EnumerateArray());
    }

    [Fact]
    public async Task Application_scripts_submit_an_application_and_follow_it()
    {
        var created = await Run("application.sh");
        var id = created.Json.GetProperty("application").GetProperty("applicationId").GetString()!;

        var status = await Run("application-status.sh", id);

        Assert.Equal(id, status.Json.GetProperty("application").GetProperty("applicationId").GetString());
    }

    [Fact]
    public async Task Providers_script_shows_the_directory_all_serving()
    {
        var result = await Run("providers.sh");

        var providers = result.Json.GetProperty("providers").EnumerateArray().ToList();
        Assert.Equal(DemoData.Seed.Providers.Count, providers.Count);
        Assert.All(providers, p => Assert.Equal("PROVIDER_HEALTH_SERVING", p.GetProperty("health").GetString()));
    }

    [Fact]
    public async Task Health_script_reports_the_gateway_serving()
    {
        var result = await Run("health.sh");

        Assert.Equal("SERVING", result.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_script_reports_one_provider_as_the_gateway_sees_it()
    {
        var result = await Run("health.sh", "providergateway.provider.alatau-power");

        Assert.Equal("SERVING", result.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task List_services_script_lists_by_reflection_and_from_the_protos()
    {
        var reflected = await Run("list-services.sh");
        var fromProtos = await ScriptRunner.RunAsync(Gateway, new Dictionary<string, string> { ["FROM_PROTOS"] = "1" }, "list-services.sh");

        Assert.Contains("providergateway.frontdesk.v1.FrontDeskService", reflected.Output, StringComparison.Ordinal);
        Assert.Contains("grpc.health.v1.Health", reflected.Output, StringComparison.Ordinal);
        Assert.Equal(0, fromProtos.ExitCode);
        Assert.Contains("providergateway.frontdesk.v1.FrontDeskService", fromProtos.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_scripts_write_to_a_down_provider_follow_the_receipt_list_and_cancel()
    {
        // A gateway of its own, with a store, and a provider the test takes down.
        var folder = Directory.CreateTempSubdirectory("pg-grpcurl-submissions-");
        await using var power = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "alatau-power" });
        try
        {
            await using var gateway = await TestGateway.StartAsync(
                [new ConfiguredProvider(power.ProviderId, "utilities", power.Address, [])],
                new GatewaySettings().WithSubmissions(s => s.Sqlite(Path.Combine(folder.FullName, "submissions.db"))));
            var authority = gateway.Application.Listeners.GrpcAddress.Authority;
            var desk = new Dictionary<string, string> { ["PG_API_KEY"] = TestSecrets.ApiKey, ["PG_OPERATOR_ID"] = TestSecrets.OperatorId, ["PG_PURPOSE"] = TestSecrets.Purpose };
            var accepting = new Dictionary<string, string>(desk) { ["PG_DELIVERY_MODE"] = "ACCEPT_WHEN_UNAVAILABLE" };
            var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == power.ProviderId && a.Meters.Count > 0);
            var value = (account.Meters[0].LastReadingMilliUnits + 1_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            power.Faults.Down = true;

            var write = await ScriptRunner.RunAsync(authority, accepting, "meter-reading.sh", value, power.ProviderId, account.AccountNumber, account.Meters[0].MeterId, account.Iin);
            Assert.True(write.ExitCode == 0, write.Output + write.Error);
            var id = write.Json.GetProperty("submission").GetProperty("submissionId").GetString()!;
            var one = await ScriptRunner.RunAsync(authority, desk, "submission.sh", id);
            var listed = await ScriptRunner.RunAsync(authority, desk, "submissions.sh", "ON_DELIVERY");
            var cancel = await ScriptRunner.RunAsync(authority, desk, "cancel-submission.sh", id);

            Assert.True(one.ExitCode == 0, one.Output + one.Error);
            Assert.Equal("SUBMISSION_STATE_ON_DELIVERY", one.Json.GetProperty("submission").GetProperty("state").GetString());
            Assert.True(listed.ExitCode == 0, listed.Output + listed.Error);
            Assert.Equal(id, Assert.Single(listed.Json.GetProperty("submissions").EnumerateArray()).GetProperty("submissionId").GetString());
            // The first attempt may have reached the provider: too late to cancel (buf curl: FAILED_PRECONDITION 9 << 3).
            Assert.Equal(72, cancel.ExitCode);
            Assert.Contains("is ON_DELIVERY", cancel.Output + cancel.Error);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Consent_scripts_take_the_office_client_from_request_to_code_to_token_to_an_answered_overview()
    {
        // The embedded default's office client needs the citizen's consent; its demo authority's address is in the log.
        var match = System.Text.RegularExpressions.Regex.Match(fixture.Gateway.LogMessages, @"Demo consent authority at (http://[0-9.:]+/)");
        Assert.True(match.Success, fixture.Gateway.LogMessages);
        var office = new Dictionary<string, string> { ["PG_API_KEY"] = Hosting.EmbeddedDemoProviders.OfficeApiKey };
        // Not the first demo citizen, whose overview other tests expect live (not cached by this one).
        var iin = DemoData.Seed.Citizens[^1].Iin;
        var refused = await ScriptRunner.RunAsync(Gateway, office, "overview.sh", iin);
        Assert.Equal(7 << 3, refused.ExitCode); // PERMISSION_DENIED
        Assert.Contains("needs the citizen's consent", refused.Error, StringComparison.Ordinal);

        var requested = await ScriptRunner.RunAsync(Gateway, office, "request-consent.sh", iin);
        Assert.True(requested.ExitCode == 0, requested.Error);
        var requestId = requested.Json.GetProperty("requestId").GetString()!;
        var outbox = await ScriptRunner.RunAsync(Gateway, new Dictionary<string, string> { ["PG_CONSENT_AUTHORITY"] = match.Groups[1].Value }, "consent-code.sh", requestId);
        Assert.True(outbox.ExitCode == 0, outbox.Error);
        var confirmed = await ScriptRunner.RunAsync(Gateway, office, "confirm-consent.sh", requestId, outbox.Json.GetProperty("code").GetString()!);
        Assert.True(confirmed.ExitCode == 0, confirmed.Error);
        var token = confirmed.Json.GetProperty("consentToken").GetString()!;

        var overview = await ScriptRunner.RunAsync(Gateway, new Dictionary<string, string>(office) { ["PG_CONSENT_TOKEN"] = token }, "overview.sh", iin);
        Assert.True(overview.ExitCode == 0, overview.Error);
        Assert.True(overview.Json.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task Access_history_script_shows_the_officer_the_citizens_accesses_and_refuses_the_development_key()
    {
        var iin = DemoData.Seed.Citizens[^2].Iin;
        await Run("accounts.sh", iin);
        var officer = new Dictionary<string, string> { ["PG_API_KEY"] = Hosting.EmbeddedDemoProviders.OfficerApiKey, ["PG_PURPOSE"] = "subject-access-request" };

        // The journal line is written once the call is over; the history has it at the latest a moment later.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var history = await ScriptRunner.RunAsync(Gateway, officer, "list-data-accesses.sh", iin);
        while (history.ExitCode == 0 && !history.Output.Contains("ListUtilityAccounts", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            history = await ScriptRunner.RunAsync(Gateway, officer, "list-data-accesses.sh", iin);
        }

        Assert.True(history.ExitCode == 0, history.Error);

        var access = history.Json.GetProperty("accesses").EnumerateArray().First(a => a.GetProperty("method").GetString() == "ListUtilityAccounts");
        Assert.Equal("development-desk", access.GetProperty("clientId").GetString());
        var refused = await ScriptRunner.RunAsync(Gateway, "list-data-accesses.sh", iin);
        Assert.Equal(7 << 3, refused.ExitCode); // PERMISSION_DENIED: '*' does not grant the access history
    }

    private async Task<ScriptResult> Run(string script, params string[] arguments)
    {
        var result = await ScriptRunner.RunAsync(Gateway, script, arguments);
        Assert.True(result.ExitCode == 0, $"{script} exited with {result.ExitCode}:\n{result.Output}\n{result.Error}");
        return result;
    }
}
