using ProviderGateway.Caching;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Tests.Caching;

public sealed class CacheKeysTests
{
    private readonly CacheKeys _keys = new(CacheTestSecrets.Secrets());

    [Fact]
    public void The_same_read_gets_the_same_key_and_any_difference_another()
    {
        var request = new GetAccountBalanceRequest { Iin = "791028302728", AccountNumber = "AP-1952-000105" };

        var key = _keys.ForRead("alatau-power", "GetAccountBalance", request);

        Assert.Equal(key, _keys.ForRead("alatau-power", "GetAccountBalance", request.Clone()));
        Assert.NotEqual(key, _keys.ForRead("zhetysu-power", "GetAccountBalance", request));
        Assert.NotEqual(key, _keys.ForRead("alatau-power", "ListInvoices", request));
        Assert.NotEqual(key, _keys.ForRead("alatau-power", "GetAccountBalance", new GetAccountBalanceRequest { Iin = "061211600012", AccountNumber = "AP-1952-000105" }));
    }

    [Fact]
    public void Keys_and_tags_hold_no_identifier_and_depend_on_the_secret()
    {
        var request = new GetAccountBalanceRequest { Iin = "791028302728", AccountNumber = "AP-1952-000105" };
        var other = new CacheKeys(CacheTestSecrets.Secrets(TestSecrets.OtherKeySecret));

        var key = _keys.ForRead("alatau-power", "GetAccountBalance", request);
        var tag = _keys.CitizenTag("alatau-power", "791028302728");

        Assert.DoesNotContain("791028302728", key + tag, StringComparison.Ordinal);
        Assert.DoesNotContain("1952", key + tag, StringComparison.Ordinal);
        Assert.NotEqual(key, other.ForRead("alatau-power", "GetAccountBalance", request));
        Assert.NotEqual(tag, other.CitizenTag("alatau-power", "791028302728"));
        Assert.Matches("^a:[A-Za-z0-9_-]{32}$", key);
        Assert.Matches("^c:[A-Za-z0-9_-]{32}$", tag);
    }

    [Fact]
    public void A_citizens_tag_is_per_provider()
    {
        Assert.NotEqual(_keys.CitizenTag("alatau-power", "791028302728"), _keys.CitizenTag("regional-water", "791028302728"));
        Assert.Equal(_keys.CitizenTag("alatau-power", "791028302728"), _keys.CitizenTag("alatau-power", "791028302728"));
    }
}
