using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Overview;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// A citizen's list merged across the providers of a domain, page by page: each provider's share and cursor, the
/// providers waiting their turn, and a failing provider reported in its own source and not asked again.
/// </summary>
public sealed class FanOutListerTests : IDisposable
{
    private const string Iin = "791028302728";
    private const string Power = "alatau-power";
    private const string Water = "regional-water";

    private readonly PipelineHarness _gateway = new([PipelineHarness.Provider(Power), PipelineHarness.Provider(Water)]);

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task Pages_go_on_with_each_providers_own_cursor_until_every_provider_is_done()
    {
        _gateway.Script(Power).Answers(Page("power-page-2", "P1", "P2")).Answers(Page("", "P3"));
        _gateway.Script(Water).Answers(Page("", "W1", "W2"));

        var first = await ListAsync(pageSize: 4, pageToken: "");
        var second = await ListAsync(pageSize: 4, pageToken: first.NextPageToken);

        Assert.Equal(["P1", "P2", "W1", "W2"], Numbers(first));
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal(["P3"], Numbers(second));
        Assert.Empty(second.NextPageToken);
        var powerRequests = _gateway.Script(Power).Requests.Cast<Util.ListAccountsRequest>().ToList();
        Assert.Equal([("", 2), ("power-page-2", 4)], powerRequests.Select(r => (r.PageToken, r.PageSize)));
        Assert.Equal(1, _gateway.Script(Water).CallCount);
    }

    [Fact]
    public async Task With_fewer_items_wanted_than_providers_the_rest_wait_their_turn_in_the_token()
    {
        _gateway.Script(Power).Answers(Page("", "P1"));
        _gateway.Script(Water).Answers(Page("", "W1"));

        var first = await ListAsync(pageSize: 1, pageToken: "");

        Assert.Equal([Power], first.Outcomes.Select(o => o.Provider.Id));
        Assert.Equal(0, _gateway.Script(Water).CallCount);

        var second = await ListAsync(pageSize: 1, pageToken: first.NextPageToken);

        Assert.Equal(["W1"], Numbers(second));
        Assert.Empty(second.NextPageToken);
    }

    [Fact]
    public async Task A_failing_provider_is_reported_in_its_source_while_the_others_answer_and_is_not_asked_again()
    {
        _gateway.Script(Power).FailsWith(StatusCode.Internal);
        _gateway.Script(Water).Answers(Page("water-page-2", "W1")).Answers(Page("", "W2"));

        var first = await ListAsync(pageSize: 2, pageToken: "");
        var second = await ListAsync(pageSize: 2, pageToken: first.NextPageToken);

        var power = first.Outcomes.Single(o => o.Provider.Id == Power);
        Assert.False(power.HasResponse);
        Assert.Equal((int)StatusCode.Unavailable, power.ToSourceStatus().Status.Code);
        Assert.Equal(ErrorReasons.ProviderInternalError, power.Status.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(["W1"], Numbers(first));
        Assert.Equal([Water], second.Outcomes.Select(o => o.Provider.Id));
        Assert.Equal(["W2"], Numbers(second));
        Assert.Equal(1, _gateway.Script(Power).CallCount);
    }

    private Task<FanOutPage<Util.ListAccountsResponse>> ListAsync(int pageSize, string pageToken) =>
        _gateway.Lister.ListAsync(
            ProviderOperations.Utilities.ListAccounts,
            Iin,
            katoCode: "",
            pageSize,
            pageToken,
            (size, token) => new Util.ListAccountsRequest { Iin = Iin, PageSize = size, PageToken = token },
            response => response.NextPageToken,
            _gateway.Desk());

    private static List<string> Numbers(FanOutPage<Util.ListAccountsResponse> page) =>
        [.. page.Outcomes.Where(o => o.HasResponse).SelectMany(o => o.Response!.Accounts).Select(a => a.AccountNumber)];

    private static Util.ListAccountsResponse Page(string nextPageToken, params string[] numbers) => new()
    {
        NextPageToken = nextPageToken,
        Accounts = { numbers.Select(n => new Util.Account { AccountNumber = n }) },
    };
}
