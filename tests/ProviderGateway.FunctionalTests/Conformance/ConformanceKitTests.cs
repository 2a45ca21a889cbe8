using Microsoft.Extensions.DependencyInjection;
using System.Xml.Linq;
using ProviderGateway.Conformance.Running;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>
/// The conformance kit against real providers on loopback: the demo providers pass every check, and
/// every check is seen to fail against a provider broken on purpose, with a message saying why.
/// </summary>
public sealed class ConformanceKitTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Providers => new()
    {
        { "utilities", "alatau-power" },
        { "land_registry", "land-registry" },
        { "social_services", "social-insurance-fund" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_provider_passes_every_check(string domain, string providerId)
    {
        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = providerId });

        var report = await RunKitAsync(domain, provider.Address);

        Assert.True(report.Passed, Describe(report));
        Assert.Equal(ConformanceRunner.CheckIds(report.Domain), report.Results.Select(r => r.Check.Id));
    }

    /// <summary>
    /// Each broken provider fails every check of its category and nothing it is not declared to fail
    /// (<see cref="BrokenProvider.EffectOf"/>); every check fails against some broken provider, and every category of
    /// checks is failed, alone, by one of them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_check_fails_against_the_provider_broken_in_its_way_and_nothing_else_does(string domain, string providerId)
    {
        var contract = ContractDomains.Parse(domain)!.Value;
        var failedSomewhere = new HashSet<string>();
        foreach (var breakage in Enum.GetValues<Breakage>())
        {
            await using var provider = await BrokenProvider.StartAsync(providerId, breakage);
            var report = await RunKitAsync(domain, provider.Address);
            output.WriteLine($"{breakage}: failed {string.Join(", ", report.Failures.Select(f => f.Check.Id))}");

            var effect = BrokenProvider.EffectOf(breakage);
            var ofItsCategories = report.Results.Where(r => effect.Fails.Contains(r.Check.Category)).ToList();
            Assert.All(ofItsCategories, r => Assert.False(r.Passed, $"{breakage}: {r.Check.Id} passed, but the provider breaks it."));
            Assert.All(report.Failures, f => Assert.True(
                effect.Fails.Contains(f.Check.Category) || effect.MayAlsoFail.Contains(f.Check.Category),
                $"{breakage}: {f.Check.Id} failed, which this breakage does not break: {f.Message}"));
            Assert.All(report.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Message)));
            failedSomewhere.UnionWith(report.Failures.Select(f => f.Check.Id));
        }

        var checks = ConformanceRunner.CheckIds(contract);
        var neverFailed = checks.Except(failedSomewhere).ToList();
        Assert.True(neverFailed.Count == 0, "Checks no broken provider fails: " + string.Join(", ", neverFailed));
        var provenAlone = Enum.GetValues<Breakage>().Select(b => BrokenProvider.EffectOf(b).ExactlyFails).OfType<string>().ToHashSet();
        var categories = checks.Select(id => id[..id.IndexOf('.', StringComparison.Ordinal)]).Distinct();
        Assert.Empty(categories.Except(provenAlone));
    }

    [Fact]
    public async Task A_failure_says_what_was_expected_and_what_came_back()
    {
        await using var provider = await BrokenProvider.StartAsync("alatau-power", Breakage.ErrorsWithoutDetails);

        var report = await RunKitAsync("utilities", provider.Address);

        var notFound = report.Results.Single(r => r.Check.Id == "not_found.GetAccountBalance");
        Assert.Contains("NOT_FOUND came without a google.rpc.ResourceInfo", notFound.Message);
        var iin = report.Results.Single(r => r.Check.Id == "validation.iin.ListAccounts");
        Assert.Contains("without a google.rpc.BadRequest", iin.Message);
    }

    [Theory]
    [InlineData(Breakage.SkipsFormatChecks, "format.account_number.GetAccountBalance", "the malformed account_number 'AP 1952/000105': expected INVALID_ARGUMENT, got NOT_FOUND")]
    [InlineData(Breakage.AnswersForMissingResources, "not_found.CreateMeterReading.meter", "a meter that is not on the test citizen's account ('NO-SUCH-METER-0'): expected NOT_FOUND, got OK")]
    [InlineData(Breakage.IgnoresOwnership, "other_citizen.ListInvoices", "the test citizen's account asked with the other citizen's IIN (--other-citizen-iin): expected NOT_FOUND, got OK")]
    [InlineData(Breakage.ReplaysReusedRequestIds, "request_id.reused.CreateMeterReading", "sent again with a different request: expected ALREADY_EXISTS, got OK")]
    [InlineData(Breakage.ReplaysReusedRequestIds, "request_id.scope.CreateMeterReading", "got the first client's reading")]
    [InlineData(Breakage.IgnoresPreconditions, "precondition.CreateMeterReading.closed_account", "a reading on a CLOSED account: expected FAILED_PRECONDITION, got OK")]
    [InlineData(Breakage.IgnoresDeadlines, "deadline.honoured", "whose request message the kit held back: no answer 1800 ms after sending it")]
    public async Task A_failure_of_a_write_other_citizen_format_or_deadline_check_says_what_came_back(Breakage breakage, string checkId, string expected)
    {
        await using var provider = await BrokenProvider.StartAsync("alatau-power", breakage);

        var report = await RunKitAsync("utilities", provider.Address);

        var result = report.Results.Single(r => r.Check.Id == checkId);
        Assert.False(result.Passed);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kit_as_a_program_prints_a_report_writes_JUnit_XML_and_exits_non_zero_on_failure()
    {
        await using var good = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "land-registry" });
        await using var broken = await BrokenProvider.StartAsync("land-registry", Breakage.NoHealthService);
        var folder = Directory.CreateTempSubdirectory("pg-conformance-");
        try
        {
            var pass = await RunProgramAsync("--target", good.Address.Authority, "--domain", "land_registry", "--junit", Path.Combine(folder.FullName, "good.xml"));
            Assert.True(pass.ExitCode == 0, pass.Output);
            Assert.Contains("CONFORMANT", pass.Output);

            var fail = await RunProgramAsync("--target", broken.Address.ToString(), "--domain", "land_registry", "--junit", Path.Combine(folder.FullName, "broken.xml"));
            Assert.True(fail.ExitCode == 1, fail.Output);
            Assert.Contains("FAIL  health.server", fail.Output);
            Assert.Contains("grpc.health.v1.Health is not served (UNIMPLEMENTED)", fail.Output);
            Assert.Contains("NOT CONFORMANT", fail.Output);

            var junit = XDocument.Load(Path.Combine(folder.FullName, "broken.xml"));
            var suite = junit.Root!.Element("testsuite")!;
            Assert.Equal("conformance.land_registry", suite.Attribute("name")!.Value);
            Assert.Equal(ConformanceRunner.CheckIds(ContractDomain.LandRegistry).Count, int.Parse(suite.Attribute("tests")!.Value, System.Globalization.CultureInfo.InvariantCulture));
            var failed = suite.Elements("testcase").Where(c => c.Element("failure") is not null).Select(c => c.Attribute("name")!.Value).ToList();
            Assert.Equal(["health.server", "health.service"], failed);
            Assert.Equal("2", suite.Attribute("failures")!.Value);

            var usage = await RunProgramAsync("--target", good.Address.Authority, "--domain", "post_office");
            Assert.Equal(2, usage.ExitCode);
            Assert.Contains("--domain must be one of utilities, land_registry, social_services", usage.Output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A provider behind TLS, checked with <c>--ca-certificate</c> naming the authority's certificate alone (a CA's PEM
    /// holds no private key): the kit trusts that authority and the provider passes.
    /// </summary>
    [Fact]
    public async Task A_TLS_provider_passes_with_the_authority_given_as_a_certificate_without_a_key()
    {
        using var certificates = TestCertificates.Create();
        using var serverCertificate = certificates.IssueServer("1.3.6.1.5.5.7.3.1");
        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "land-registry", Url = "https://127.0.0.1:0", ServerCertificate = serverCertificate });

        var report = await ConformanceRunner.RunAsync(new KitOptions
        {
            Target = provider.Address,
            Domain = ContractDomain.LandRegistry,
            CitizenIin = KitOptions.DefaultCitizenIin(ContractDomain.LandRegistry),
            CaCertificate = certificates.AuthorityPemFile,
        });

        Assert.True(!report.Failures.Any(), Describe(report));
        Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(certificates.AuthorityPemFile), StringComparison.Ordinal);
    }

    /// <summary>
    /// A provider that leaves an optional enum UNSPECIFIED ("not set, or unknown to the provider": a payment's channel)
    /// passes; an always-set enum left UNSPECIFIED still fails (<see cref="Breakage.CorruptsData"/>).
    /// </summary>
    [Fact]
    public async Task A_provider_leaving_an_optional_enum_unspecified_passes()
    {
        var channels = new UnspecifiedPaymentChannels();
        await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions
        {
            ProviderId = "alatau-power",
            ConfigureServices = services => services
                .AddSingleton(channels)
                .AddGrpc(o => o.Interceptors.Add<UnspecifiedPaymentChannels>()),
        });

        var report = await RunKitAsync("utilities", provider.Address);

        Assert.True(!report.Failures.Any(), Describe(report));
        Assert.True(channels.Cleared > 0, "The kit read no payment: the check was not exercised.");
    }

    /// <summary>Clears the channel of every payment a provider lists.</summary>
    private sealed class UnspecifiedPaymentChannels : Grpc.Core.Interceptors.Interceptor
    {
        private int _cleared;

        public int Cleared => Volatile.Read(ref _cleared);

        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, Grpc.Core.ServerCallContext context, Grpc.Core.UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var response = await continuation(request, context);
            if (response is Contracts.Utilities.V1.ListPaymentsResponse payments)
            {
                foreach (var payment in payments.Payments)
                {
                    payment.Channel = Contracts.Utilities.V1.PaymentChannel.Unspecified;
                    Interlocked.Increment(ref _cleared);
                }
            }

            return response;
        }
    }

    /// <summary>Runs the kit in-process against <paramref name="target"/>, with its default test citizen.</summary>
    internal static async Task<ConformanceReport> RunKitAsync(string domain, Uri target)
    {
        var contract = ContractDomains.Parse(domain)!.Value;
        return await ConformanceRunner.RunAsync(new KitOptions
        {
            Target = target,
            Domain = contract,
            CitizenIin = KitOptions.DefaultCitizenIin(contract),
        });
    }

    internal static string Describe(ConformanceReport report) =>
        string.Join(Environment.NewLine, report.Failures.Select(f => $"{f.Check.Id}: {f.Message}"));

    private static async Task<(int ExitCode, string Output)> RunProgramAsync(params string[] arguments)
    {
        var result = await ScriptRunner.RunProgramAsync("dotnet", [Repository.ConformanceKit, .. arguments]);
        return (result.ExitCode, result.Output + result.Error);
    }
}
