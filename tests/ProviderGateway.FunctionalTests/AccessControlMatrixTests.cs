using System.Net.Http;
using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.FunctionalTests.Infrastructure;
using Land = ProviderGateway.Contracts.LandRegistry.V1;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Every front-desk method of the catalogue, in every spelling of its path, over every protocol, by a permitted client,
/// a client without the permission and a client of another district, against a live gateway: only the exact path
/// reaches the method; every other spelling is refused UNIMPLEMENTED before any handler runs, and every personal-data
/// call, answered or refused, is journaled under the method it is (or would have been) for.
/// </summary>
public sealed class AccessControlMatrixTests
{
    private const string KarasaiKato = "195200000";
    private const string PermittedKey = "karasai-desk-key-0123456789";
    private const string DirectoryOnlyKey = "directory-only-key-0123456789";
    private const string OverviewOnlyKey = "overview-only-key-0123456789";
    private const string BalkhashKey = "balkhash-desk-key-0123456789";

    private static readonly string[] Spellings = ["canonical", "trailing slash", "double slash", "lower case", "upper case", "mixed case", "percent-encoded"];

    private static GatewaySettings Clients() => new GatewaySettings()
        .WithClient(c => c.Id("karasai-desk").ApiKey(PermittedKey).Permissions("*").Districts("1952").Unlimited())
        .WithClient(c => c.Id("directory-only").ApiKey(DirectoryOnlyKey).Permissions("directory").Districts("*").Unlimited())
        .WithClient(c => c.Id("overview-only").ApiKey(OverviewOnlyKey).Permissions("overview").Districts("*").Unlimited())
        .WithClient(c => c.Id("balkhash-desk").ApiKey(BalkhashKey).Permissions("*").Districts("1936").Unlimited());

    [Fact]
    public async Task Only_a_methods_exact_path_reaches_it_in_every_protocol_for_every_client_and_every_call_is_journaled()
    {
        var gateway = await TestGateway.StartAsync(settings: Clients());
        var sent = new List<(string Client, FrontDeskMethod Method, bool Canonical, DeskOutcome Outcome, string Label)>();
        long providerCallsDuringMisspelt;
        await using (gateway)
        {
            using var calls = new RawDeskCalls(gateway);
            var requests = SampleRequests();
            async Task SendAllAsync(bool canonical)
            {
                foreach (var method in FrontDeskMethods.All)
                {
                    var request = requests.GetValueOrDefault(method.Name) ?? DefaultRequest(method);
                    var unpermitted = method.Group == "directory" ? ("overview-only", OverviewOnlyKey) : ("directory-only", DirectoryOnlyKey);
                    foreach (var (client, key) in new[] { ("karasai-desk", PermittedKey), unpermitted, ("balkhash-desk", BalkhashKey) })
                    {
                        foreach (var protocol in Enum.GetValues<DeskProtocol>())
                        {
                            var path = protocol == DeskProtocol.Json ? method.JsonPath : method.GrpcPath;
                            foreach (var spelling in Spellings)
                            {
                                var target = Spell(path, spelling);
                                if ((target == path) != canonical)
                                {
                                    continue;
                                }

                                var headers = new Dictionary<string, string> { ["x-api-key"] = key, ["x-operator-id"] = "op-matrix-1", ["x-access-purpose"] = "citizen-enquiry" };
                                var outcome = await calls.SendAsync(protocol, target, request, method.Name == "ListProviders" ? HttpMethod.Get : HttpMethod.Post, headers);
                                sent.Add((client, method, canonical, outcome, $"{method.Name} {protocol} {spelling} '{target}' by {client}"));
                            }
                        }
                    }
                }
            }

            await SendAllAsync(canonical: true);
            var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);
            await SendAllAsync(canonical: false);
            providerCallsDuringMisspelt = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total) - before;
        }

        var entries = JournalFile.Entries(gateway.JournalPath);

        // Every method, three clients, four protocols, seven spellings (some coincide with the exact path, such as the
        // lower-case spelling of an all-lower-case JSON route).
        Assert.Equal(FrontDeskMethods.All.Count() * 3 * 4 * Spellings.Length, sent.Count);
        Assert.All(sent.Where(s => !s.Canonical), s => Assert.True(
            s.Outcome == new DeskOutcome(StatusCode.Unimplemented, "METHOD_PATH_NOT_CANONICAL"), $"{s.Label}: {s.Outcome}"));
        Assert.Equal(0, providerCallsDuringMisspelt);

        var canonicalCalls = sent.Where(s => s.Canonical).ToList();
        // '*' grants every group but the access history, which a client is given by name.
        Assert.All(canonicalCalls.Where(s => s.Client is "karasai-desk" or "balkhash-desk" && s.Method.Group == "access_history"), s => Assert.True(
            s.Outcome == new DeskOutcome(StatusCode.PermissionDenied, "METHOD_NOT_PERMITTED"), $"{s.Label}: {s.Outcome}"));
        Assert.All(canonicalCalls.Where(s => s.Client == "karasai-desk" && s.Method.Group != "access_history"), s => Assert.True(
            s.Outcome.Code is not (StatusCode.Unimplemented or StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.ResourceExhausted or StatusCode.Unknown or StatusCode.Internal),
            $"{s.Label}: {s.Outcome}"));
        Assert.All(canonicalCalls.Where(s => s.Client == "karasai-desk").GroupBy(s => s.Method.Name), g => Assert.Single(g.Select(s => s.Outcome.Code).Distinct()));
        Assert.All(canonicalCalls.Where(s => s.Client is "directory-only" or "overview-only"), s => Assert.True(
            s.Outcome == new DeskOutcome(StatusCode.PermissionDenied, "METHOD_NOT_PERMITTED"), $"{s.Label}: {s.Outcome}"));
        // Submissions carry their district in the store: outside the client's districts one is as good as absent.
        // A consent is a citizen's, not a district's: its requests are checked for form (these are empty), not for district.
        Assert.All(canonicalCalls.Where(s => s.Client == "balkhash-desk" && s.Method.Group != "access_history"), s => Assert.True(
            s.Method.Group == "submissions" ? s.Outcome == new DeskOutcome(StatusCode.NotFound, "SUBMISSION_NOT_FOUND") || (s.Method.Name == "ListSubmissions" && s.Outcome.Code == StatusCode.OK)
            : s.Method.Group == "consent" ? s.Outcome.Code == StatusCode.InvalidArgument
            : s.Method.PersonalData ? s.Outcome == new DeskOutcome(StatusCode.PermissionDenied, "DISTRICT_NOT_PERMITTED") : s.Outcome.Code == StatusCode.OK,
            $"{s.Label}: {s.Outcome}"));
        Assert.Contains(canonicalCalls, s => s.Client == "karasai-desk" && s.Outcome.Code == StatusCode.OK);

        // One journal line per personal-data call, under its method, its client and the status the desk received.
        var expected = sent.Where(s => s.Method.PersonalData)
            .GroupBy(s => (s.Client, s.Method.Name, Result: GrpcStatusName(s.Outcome.Code)))
            .ToDictionary(g => g.Key, g => g.Count());
        var journaled = entries
            .GroupBy(e => (Client: e.GetProperty("client").GetString()!, Method: e.GetProperty("method").GetString()!, Result: e.GetProperty("result").GetString()!))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(e => e.Key.ToString()), journaled.OrderBy(e => e.Key.ToString()));
    }

    /// <summary>The path in one of the spellings a caller could try.</summary>
    private static string Spell(string path, string spelling)
    {
        var lastSlash = path.LastIndexOf('/');
        var letter = path.IndexOfAny([.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"], lastSlash);
        return spelling switch
        {
            "canonical" => path,
            "trailing slash" => path + "/",
            "double slash" => path[..lastSlash] + "/" + path[lastSlash..],
            "lower case" => path.ToLowerInvariant(),
            "upper case" => path.ToUpperInvariant(),
            "mixed case" => path[..letter] + (char.IsUpper(path[letter]) ? char.ToLowerInvariant(path[letter]) : char.ToUpperInvariant(path[letter])) + path[(letter + 1)..],
            "percent-encoded" => path[..letter] + $"%{(int)path[letter]:X2}" + path[(letter + 1)..],
            _ => throw new ArgumentOutOfRangeException(nameof(spelling)),
        };
    }

    private static string GrpcStatusName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        _ => code.ToString(),
    };

    // A method without a sample request still joins the matrix with an empty one: the path rules do not depend on it.
    private static IMessage DefaultRequest(FrontDeskMethod method) =>
        FrontDeskService.Descriptor.FindMethodByName(method.Name).InputType.Parser.ParseFrom(ByteString.Empty);

    private static Dictionary<string, IMessage> SampleRequests()
    {
        var seed = DemoData.Seed;
        var citizen = seed.Citizens.First(c => c.Iin == "791028302728");
        bool InKarasai(string? kato) => (kato ?? citizen.KatoCode).StartsWith("1952", StringComparison.Ordinal);
        var account = seed.UtilityAccounts.First(a => a.Iin == citizen.Iin && a.Meters.Count > 0 && InKarasai(a.Address?.KatoCode));
        var meter = account.Meters[0];
        var parcel = seed.Parcels.First(p => p.RightsHolders.Any(h => h.Iin == citizen.Iin) && InKarasai(p.Address.KatoCode));
        var benefit = seed.Benefits.First(b => seed.Citizens.Any(c => c.Iin == b.Iin && c.KatoCode == KarasaiKato));
        var iin = citizen.Iin;
        return new Dictionary<string, IMessage>
        {
            ["GetCitizenOverview"] = new GetCitizenOverviewRequest { Iin = iin, KatoCode = KarasaiKato },
            ["StreamCitizenOverview"] = new StreamCitizenOverviewRequest { Iin = iin, KatoCode = KarasaiKato },
            ["ListUtilityAccounts"] = new ListUtilityAccountsRequest { Iin = iin, KatoCode = KarasaiKato, PageSize = 5 },
            ["GetUtilityAccountBalance"] = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, KatoCode = KarasaiKato, Iin = iin, AccountNumber = account.AccountNumber },
            ["ListUtilityInvoices"] = new ListUtilityInvoicesRequest { ProviderId = account.ProviderId, KatoCode = KarasaiKato, Iin = iin, AccountNumber = account.AccountNumber, PageSize = 5 },
            ["ListUtilityPayments"] = new ListUtilityPaymentsRequest { ProviderId = account.ProviderId, KatoCode = KarasaiKato, Iin = iin, AccountNumber = account.AccountNumber, PageSize = 5 },
            ["CreateMeterReading"] = new CreateMeterReadingRequest
            {
                ProviderId = account.ProviderId,
                KatoCode = KarasaiKato,
                RequestId = "5b0d6a43-5d43-4a0b-9a43-4ad0f1a1c001",
                Iin = iin,
                AccountNumber = account.AccountNumber,
                MeterId = meter.MeterId,
                ValueMilliUnits = meter.LastReadingMilliUnits + 1000,
                ReadingDate = Google.Type.Date.FromDateTime(DateTime.UtcNow.Date.AddDays(-1)),
            },
            ["ListParcels"] = new ListParcelsRequest { Iin = iin, KatoCode = KarasaiKato },
            ["GetParcel"] = new GetParcelRequest { ProviderId = parcel.ProviderId, KatoCode = KarasaiKato, CadastralNumber = parcel.CadastralNumber },
            ["CreateCertificateOrder"] = new CreateCertificateOrderRequest
            {
                ProviderId = parcel.ProviderId,
                KatoCode = KarasaiKato,
                RequestId = "5b0d6a43-5d43-4a0b-9a43-4ad0f1a1c002",
                Iin = iin,
                CertificateType = Land.CertificateType.RealEstateOwnership,
            },
            ["GetCertificateOrder"] = new GetCertificateOrderRequest { ProviderId = parcel.ProviderId, KatoCode = KarasaiKato, Iin = iin, OrderId = "no-such-order" },
            ["ListBenefits"] = new ListBenefitsRequest { Iin = benefit.Iin, KatoCode = KarasaiKato },
            ["ListBenefitPayments"] = new ListBenefitPaymentsRequest { ProviderId = benefit.ProviderId, KatoCode = KarasaiKato, Iin = benefit.Iin, BenefitId = benefit.BenefitId },
            ["CheckBenefitEligibility"] = new CheckBenefitEligibilityRequest { ProviderId = benefit.ProviderId, KatoCode = KarasaiKato, Iin = benefit.Iin, BenefitType = benefit.BenefitType },
            ["CreateBenefitApplication"] = new CreateBenefitApplicationRequest
            {
                ProviderId = benefit.ProviderId,
                KatoCode = KarasaiKato,
                RequestId = "5b0d6a43-5d43-4a0b-9a43-4ad0f1a1c003",
                Iin = benefit.Iin,
                BenefitType = benefit.BenefitType,
            },
            ["GetBenefitApplication"] = new GetBenefitApplicationRequest { ProviderId = benefit.ProviderId, KatoCode = KarasaiKato, Iin = benefit.Iin, ApplicationId = "no-such-application" },
            ["ListProviders"] = new ListProvidersRequest { KatoCode = KarasaiKato },
            ["GetSubmission"] = new GetSubmissionRequest { SubmissionId = "01a24000-0000-7000-8000-000000000001" },
            ["ListSubmissions"] = new ListSubmissionsRequest { PageSize = 5 },
            ["CancelSubmission"] = new CancelSubmissionRequest { SubmissionId = "01a24000-0000-7000-8000-000000000001" },
        };
    }
}
