using Grpc.Core;
using ProviderGateway.Paging;

namespace ProviderGateway.Tests.Paging;

public sealed class FanOutPageTokenTests
{
    [Fact]
    public void A_token_round_trips_its_cursors()
    {
        var scope = FanOutPageToken.Scope("m", "791028302728", "");
        ProviderCursor[] cursors = [new("a", "tok-1"), new("b", "")];

        var decoded = FanOutPageToken.Decode(FanOutPageToken.Encode(scope, cursors), scope);

        Assert.Equal(cursors, decoded);
    }

    [Fact]
    public void No_cursors_means_the_last_page()
    {
        Assert.Equal("", FanOutPageToken.Encode("s", []));
    }

    [Fact]
    public void A_token_of_another_citizen_is_rejected()
    {
        var token = FanOutPageToken.Encode(FanOutPageToken.Scope("m", "791028302728", ""), [new("a", "t")]);

        var error = Assert.Throws<RpcException>(() => FanOutPageToken.Decode(token, FanOutPageToken.Scope("m", "061211600012", "")));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("page_token", error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations[0].Field);
    }

    [Theory]
    [InlineData("not-base64!")]
    [InlineData("e30")] // "{}"
    [InlineData("AAAA")]
    public void A_forged_token_is_rejected(string token)
    {
        var error = Assert.Throws<RpcException>(() => FanOutPageToken.Decode(token, "scope"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public void The_token_does_not_carry_the_IIN_in_clear()
    {
        var token = FanOutPageToken.Encode(FanOutPageToken.Scope("m", "791028302728", ""), [new("a", "t")]);

        var text = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token));

        Assert.DoesNotContain("791028302728", text, StringComparison.Ordinal);
    }
}
