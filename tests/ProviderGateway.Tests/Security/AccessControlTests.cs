using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

/// <summary>Authorisation of front-desk calls: each refusal with its status and reason, before any handler runs.</summary>
public sealed class AccessControlTests : IAsyncDisposable
{
    private const string Iin = "900101300125";
    private static readonly FrontDeskMethod Overview = FrontDeskMethods.Find("GetCitizenOverview")!;
    private static readonly FrontDeskMethod Balance = FrontDeskMethods.Find("GetUtilityAccountBalance")!;
    private static readonly FrontDeskMethod Directory = FrontDeskMethods.Find("ListProviders")!;
    private static readonly GatewayClient Everywhere = AccessControlHarness.Client("head-office", ["*"], ["*"]);
    private static readonly GatewayClient Karasai = AccessControlHarness.Client("karasai-office", ["overview", "utilities"], ["1952"]);

    private readonly AccessControlHarness _harness = new();

    [Fact]
    public async Task A_call_that_was_not_classified_is_refused_permission_denied()
    {
        var refusal = await _harness.RefusalOfAsync(new DefaultHttpContext(), OverviewRequest("195220100"));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.MethodNotPermitted, AccessControlHarness.ReasonOf(refusal));
    }

    [Fact]
    public async Task A_call_not_at_its_exact_path_is_refused_as_not_classified()
    {
        var http = AccessControlHarness.Request(Overview, Everywhere, canonical: false);

        var refusal = await _harness.RefusalOfAsync(http, OverviewRequest("195220100"));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.MethodNotPermitted, AccessControlHarness.ReasonOf(refusal));
    }

    [Fact]
    public async Task A_method_the_catalogue_could_not_classify_is_refused_even_to_a_client_with_every_permission()
    {
        var unclassified = new FrontDeskMethod("GetSomethingNew", "", PersonalData: true, "/providergateway.frontdesk.v1.FrontDeskService/GetSomethingNew", "");

        var refusal = await _harness.RefusalOfAsync(AccessControlHarness.Request(unclassified, Everywhere), OverviewRequest("195220100"));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.MethodNotPermitted, AccessControlHarness.ReasonOf(refusal));
    }

    [Theory]
    [InlineData(false, "Authenticate with an API key")]
    [InlineData(true, "The API key in x-api-key is not valid.")]
    public async Task A_call_without_an_authenticated_client_is_refused_unauthenticated(bool presentedKey, string message)
    {
        var http = AccessControlHarness.Request(Overview, client: null);
        if (presentedKey)
        {
            http.Request.Headers[ClientAuthentication.ApiKeyHeader] = "not-a-key";
        }

        var refusal = await _harness.RefusalOfAsync(http, OverviewRequest("195220100"));

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
        Assert.Equal(ErrorReasons.ClientNotAuthenticated, AccessControlHarness.ReasonOf(refusal));
        Assert.StartsWith(message, refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_outside_the_clients_permissions_is_refused_method_not_permitted()
    {
        var landOnly = AccessControlHarness.Client("land-desk", ["land_registry"], ["*"]);

        var refusal = await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, landOnly), OverviewRequest("195220100"));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        var info = refusal.GetRpcStatus()!.GetDetail<ErrorInfo>()!;
        Assert.Equal(ErrorReasons.MethodNotPermitted, info.Reason);
        Assert.Equal("GetCitizenOverview", info.Metadata["method"]);
        Assert.Equal("overview", info.Metadata["permission_group"]);
    }

    [Theory]
    [InlineData("", "set kato_code")]
    [InlineData("331000000", "kato_code is outside them")]
    public async Task A_district_missing_or_outside_the_clients_districts_is_refused_district_not_permitted(string kato, string why)
    {
        var refusal = await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, Karasai), OverviewRequest(kato));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.DistrictNotPermitted, AccessControlHarness.ReasonOf(refusal));
        Assert.Contains(why, refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_does_not_serve_the_district_named_is_refused_district_not_permitted()
    {
        var request = new GetUtilityAccountBalanceRequest { ProviderId = "zhetysu-power", KatoCode = "195220100", Iin = Iin, AccountNumber = "1" };

        var refusal = await _harness.RefusalOfAsync(AccessControlHarness.Request(Balance, Karasai), request);

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.DistrictNotPermitted, AccessControlHarness.ReasonOf(refusal));
        Assert.Contains("'zhetysu-power' does not serve district 195220100", refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "OPERATOR_ID_REQUIRED", "ACCESS_PURPOSE_REQUIRED")]
    [InlineData("op 17", "Citizen Enquiry", "OPERATOR_ID_INVALID", "ACCESS_PURPOSE_INVALID")]
    public async Task A_personal_data_call_without_a_well_formed_operator_and_purpose_is_refused_invalid_argument_naming_each(
        string? operatorId, string? purpose, string operatorReason, string purposeReason)
    {
        var http = AccessControlHarness.Request(Overview, Karasai, operatorId, purpose);

        var refusal = await _harness.RefusalOfAsync(http, OverviewRequest("195220100"));

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        var violations = refusal.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations;
        Assert.Equal([(CallerIdentity.OperatorHeader, operatorReason), (CallerIdentity.PurposeHeader, purposeReason)], violations.Select(v => (v.Field, v.Reason)));
    }

    [Fact]
    public async Task Permission_is_decided_before_the_operator_and_purpose()
    {
        var landOnly = AccessControlHarness.Client("land-desk", ["land_registry"], ["*"]);

        var refusal = await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, landOnly, operatorId: null, purpose: null), OverviewRequest("195220100"));

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
    }

    [Fact]
    public async Task A_permitted_call_reaches_the_handler_with_its_caller_identity()
    {
        var http = AccessControlHarness.Request(Overview, Karasai);
        CallerIdentity? seen = null;

        var response = await _harness.CallAsync(http, OverviewRequest("195220100"), _ =>
        {
            seen = http.Features.Get<CallerIdentity>();
            return Task.FromResult(new GetCitizenOverviewResponse { Complete = true });
        });

        Assert.True(response.Complete);
        Assert.Equal(("karasai-office", AccessControlHarness.Operator, AccessControlHarness.Purpose), (seen?.ClientId, seen?.OperatorId, seen?.Purpose));
        Assert.True(seen!.Districts.Contains("195220100"));
        Assert.False(seen.Districts.Contains("331000000"));
    }

    [Fact]
    public async Task A_call_that_is_not_about_personal_data_needs_no_operator_or_purpose()
    {
        var directoryDesk = AccessControlHarness.Client("kiosk", ["directory"], ["*"]);
        var http = AccessControlHarness.Request(Directory, directoryDesk, operatorId: null, purpose: null);

        var response = await _harness.CallAsync(http, new ListProvidersRequest(), _ => Task.FromResult(new ListProvidersResponse { NextPageToken = "next" }));

        Assert.Equal("next", response.NextPageToken);
        var caller = http.Features.Get<CallerIdentity>();
        Assert.Equal(("kiosk", "", ""), (caller?.ClientId, caller?.OperatorId, caller?.Purpose));
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static GetCitizenOverviewRequest OverviewRequest(string kato) => new() { Iin = Iin, KatoCode = kato };
}
