using System.Buffers.Text;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.Paging;
using ProviderGateway.Providers;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Page tokens handed back by desks, against a live gateway with the demo providers in-process: every token that the
/// gateway did not issue to this client for this listing, and within its lifetime, is refused before any provider is
/// called; a token never reaches a provider that does not serve the request.
/// </summary>
public sealed class PageTokenTests(PageTokenTests.Gateway fixture) : IClassFixture<PageTokenTests.Gateway>
{
    private const string KarasaiIin = "791028302728";   // Karasai district (195200000), accounts at several providers
    private const string BalkhashIin = "870909307316";  // Balkhash district (193600000)
    private const string BalkhashKato = "193600000";
    private const string OtherOfficeKey = "other-office-key-0123456789";
    private const string BalkhashOfficeKey = "balkhash-office-key-0123456789";

    private static readonly string ListAccounts = ProviderOperations.Utilities.ListAccounts.Name;

    private TestGateway Live => fixture.Live;

    private long ProviderCalls => Live.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

    // A token made with the tests' key, as only someone holding the gateway's key could: for what a leaked key allows.
    private static string Mint(PageTokenBinding binding, IReadOnlyList<ProviderCursor> cursors, TimeProvider? clock = null) =>
        new PageTokens(
            Options.Create(new SecurityOptions { PageTokens = new PageTokenOptions { Key = TestSecrets.PageTokenKey } }),
            clock ?? TimeProvider.System).Issue(binding, cursors);

    private async Task<string> FirstPageTokenAsync(FrontDeskService.FrontDeskServiceClient desk, string iin = KarasaiIin, string kato = "")
    {
        var first = await desk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = iin, KatoCode = kato, PageSize = 1 });
        Assert.NotEmpty(first.NextPageToken);
        return first.NextPageToken;
    }

    private async Task AssertRefusedUncalledAsync(ListUtilityAccountsRequest request, string reason, FrontDeskService.FrontDeskServiceClient? desk = null)
    {
        var callsBefore = ProviderCalls;

        var error = await Assert.ThrowsAsync<RpcException>(() => (desk ?? Live.FrontDesk).ListUtilityAccountsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("page_token", violation.Field);
        Assert.Equal(reason, violation.Reason);
        Assert.Equal(callsBefore, ProviderCalls);
    }

    [Fact]
    public async Task A_forged_token_of_the_old_unsigned_format_is_refused_and_no_provider_is_called()
    {
        // What anyone could make before: base64 JSON naming a provider 150 times.
        var cursors = string.Join(",", Enumerable.Repeat("""{"p":"zhetysu-power","t":""}""", 150));
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"v":1,"s":"AAAAAAAAAAAAAAAAAAAAAA","c":[{{cursors}}]}"""));

        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 100, PageToken = forged }, "PAGE_TOKEN_INVALID");
    }

    [Fact]
    public async Task An_edited_token_is_refused_and_no_provider_is_called()
    {
        var bytes = Base64Url.DecodeFromChars(await FirstPageTokenAsync(Live.FrontDesk));
        bytes[12] ^= 0x20; // inside the cursors

        await AssertRefusedUncalledAsync(
            new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 1, PageToken = Base64Url.EncodeToString(bytes) },
            "PAGE_TOKEN_INVALID");
    }

    [Fact]
    public async Task A_token_replayed_by_another_client_is_refused_and_no_provider_is_called()
    {
        var token = await FirstPageTokenAsync(Live.FrontDesk);

        await AssertRefusedUncalledAsync(
            new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 1, PageToken = token },
            "PAGE_TOKEN_INVALID",
            Live.ClientWith(OtherOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose));
    }

    [Fact]
    public async Task A_token_replayed_for_another_citizen_or_district_is_refused_and_no_provider_is_called()
    {
        var token = await FirstPageTokenAsync(Live.FrontDesk);

        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = BalkhashIin, PageSize = 1, PageToken = token }, "PAGE_TOKEN_INVALID");
        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, KatoCode = "195200000", PageSize = 1, PageToken = token }, "PAGE_TOKEN_INVALID");
    }

    [Fact]
    public async Task An_authentic_token_naming_a_provider_twice_is_refused_and_no_provider_is_called()
    {
        var duplicated = Mint(new PageTokenBinding("test-desk", ListAccounts, KarasaiIin, ""), [new("alatau-power", ""), new("alatau-power", "")]);

        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 100, PageToken = duplicated }, "PAGE_TOKEN_INVALID");
    }

    [Fact]
    public async Task An_authentic_token_with_more_cursors_than_providers_is_refused_and_no_provider_is_called()
    {
        var flood = Mint(new PageTokenBinding("test-desk", ListAccounts, KarasaiIin, ""), [.. Enumerable.Range(0, 150).Select(i => new ProviderCursor($"p{i}", ""))]);

        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 100, PageToken = flood }, "PAGE_TOKEN_INVALID");
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_no_provider_is_called()
    {
        var twoHoursAgo = new ShiftedClock(TimeSpan.FromHours(-2));
        var expired = Mint(new PageTokenBinding("test-desk", ListAccounts, KarasaiIin, ""), [new("alatau-power", "")], twoHoursAgo);

        await AssertRefusedUncalledAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 100, PageToken = expired }, "PAGE_TOKEN_EXPIRED");
    }

    [Fact]
    public async Task A_token_never_reaches_a_provider_outside_the_district_of_the_request()
    {
        // Authentic, for a client limited to Balkhash, yet naming a Zhetysu provider too.
        var desk = Live.ClientWith(BalkhashOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        var token = Mint(new PageTokenBinding("balkhash-office", ListAccounts, BalkhashIin, BalkhashKato), [new("zhetysu-power", ""), new("alatau-power", "")]);
        var zhetysuBefore = Live.EmbeddedProviders["zhetysu-power"].Calls.Total;

        var page = await desk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = BalkhashIin, KatoCode = BalkhashKato, PageSize = 100, PageToken = token });

        Assert.Equal(["alatau-power"], page.Sources.Select(s => s.ProviderId));
        Assert.Equal(zhetysuBefore, Live.EmbeddedProviders["zhetysu-power"].Calls.Total);
    }

    [Fact]
    public async Task Directory_tokens_are_bound_to_the_client_and_the_filter()
    {
        var first = await Live.FrontDesk.ListProvidersAsync(new ListProvidersRequest { PageSize = 2 });
        var other = Live.ClientWith(OtherOfficeKey);

        var next = await Live.FrontDesk.ListProvidersAsync(new ListProvidersRequest { PageSize = 2, PageToken = first.NextPageToken });
        var replayed = await Assert.ThrowsAsync<RpcException>(() => other.ListProvidersAsync(new ListProvidersRequest { PageSize = 2, PageToken = first.NextPageToken }).ResponseAsync);
        var refiltered = await Assert.ThrowsAsync<RpcException>(() => Live.FrontDesk.ListProvidersAsync(new ListProvidersRequest { Domain = Domain.Utilities, PageSize = 2, PageToken = first.NextPageToken }).ResponseAsync);

        Assert.Equal(2, next.Providers.Count);
        Assert.DoesNotContain(next.Providers[0].ProviderId, first.Providers.Select(p => p.ProviderId));
        Assert.Equal(StatusCode.InvalidArgument, replayed.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, refiltered.StatusCode);
    }

    [Fact]
    public async Task A_token_made_under_the_previous_key_still_pages_after_rotation()
    {
        var token = await FirstPageTokenAsync(Live.FrontDesk);
        var newKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        await using var rotated = await TestGateway.StartAsync(settings: new GatewaySettings().WithPageTokenKey(newKey, previousKey: TestSecrets.PageTokenKey));
        await using var forgetful = await TestGateway.StartAsync(settings: new GatewaySettings().WithPageTokenKey(newKey));

        var page = await rotated.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 1, PageToken = token });
        var refused = await Assert.ThrowsAsync<RpcException>(() => forgetful.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = KarasaiIin, PageSize = 1, PageToken = token }).ResponseAsync);

        Assert.Single(page.Accounts);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
    }

    /// <summary>The system clock, shifted.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    /// <summary>The embedded default with two more clients: another office (everything) and one limited to Balkhash.</summary>
    public sealed class Gateway : IAsyncLifetime
    {
        private TestGateway? _live;

        /// <summary>The running gateway.</summary>
        public TestGateway Live => _live ?? throw new InvalidOperationException("Not started.");

        /// <inheritdoc />
        public async Task InitializeAsync() => _live = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithClient(c => c.Id("other-office").ApiKey(OtherOfficeKey).Permissions("*").Districts("*"))
            .WithClient(c => c.Id("balkhash-office").ApiKey(BalkhashOfficeKey).Permissions("utilities").Districts("1936")));

        /// <inheritdoc />
        public async Task DisposeAsync()
        {
            if (_live is not null)
            {
                await _live.DisposeAsync();
            }
        }
    }
}
