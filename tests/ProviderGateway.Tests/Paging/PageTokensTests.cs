using System.Buffers.Text;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Paging;
using ProviderGateway.Tests.Resilience;

namespace ProviderGateway.Tests.Paging;

public sealed class PageTokensTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Repeat((byte)0xA1, 32).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Repeat((byte)0xB2, 32).ToArray());
    private static readonly PageTokenBinding Binding = new("karasai-office", "ListAccounts", "791028302728", "195200000");
    private static readonly ProviderCursor[] Cursors = [new("alatau-power", "tok-1"), new("teplo-service", "")];

    private readonly ManualClock _clock = new();

    private PageTokens Tokens(string key, string? previousKey = null, TimeSpan? lifetime = null) => new(
        Options.Create(new SecurityOptions { PageTokens = new PageTokenOptions { Key = key, PreviousKey = previousKey, Lifetime = lifetime ?? TimeSpan.FromHours(1) } }),
        _clock);

    private static BadRequest.Types.FieldViolation Refusal(Action open)
    {
        var error = Assert.Throws<RpcException>(open);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("page_token", violation.Field);
        return violation;
    }

    [Fact]
    public void A_token_round_trips_its_cursors()
    {
        var tokens = Tokens(KeyA);

        var opened = tokens.Open(tokens.Issue(Binding, Cursors), Binding);

        Assert.Equal(Cursors, opened);
    }

    [Fact]
    public void No_cursors_means_the_last_page()
    {
        Assert.Equal("", Tokens(KeyA).Issue(Binding, []));
    }

    [Theory]
    [InlineData("other-office", "ListAccounts", "791028302728", "195200000")]
    [InlineData("karasai-office", "ListBenefits", "791028302728", "195200000")]
    [InlineData("karasai-office", "ListAccounts", "061211600012", "195200000")]
    [InlineData("karasai-office", "ListAccounts", "791028302728", "")]
    [InlineData("karasai-office", "ListAccounts", "791028302728195200000", "")]
    public void A_token_opened_by_another_client_or_for_other_fields_is_invalid(string client, string method, string iin, string kato)
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Issue(Binding, Cursors);

        var violation = Refusal(() => tokens.Open(token, new PageTokenBinding(client, method, iin, kato)));

        Assert.Equal("PAGE_TOKEN_INVALID", violation.Reason);
    }

    [Fact]
    public void A_token_with_any_byte_edited_is_invalid()
    {
        var tokens = Tokens(KeyA);
        var bytes = Base64Url.DecodeFromChars(tokens.Issue(Binding, Cursors));

        for (var i = 0; i < bytes.Length; i++)
        {
            var edited = (byte[])bytes.Clone();
            edited[i] ^= 0x01;
            Assert.Equal("PAGE_TOKEN_INVALID", Refusal(() => tokens.Open(Base64Url.EncodeToString(edited), Binding)).Reason);
        }
    }

    [Theory]
    [InlineData("not-base64!")]
    [InlineData("e30")] // "{}": the old unsigned JSON format
    [InlineData("AAAA")]
    [InlineData("")]
    public void A_forged_token_is_invalid(string token)
    {
        Assert.Equal("PAGE_TOKEN_INVALID", Refusal(() => Tokens(KeyA).Open(token, Binding)).Reason);
    }

    [Fact]
    public void A_token_made_with_an_unknown_key_is_invalid()
    {
        var token = Tokens(KeyB).Issue(Binding, Cursors);

        Assert.Equal("PAGE_TOKEN_INVALID", Refusal(() => Tokens(KeyA).Open(token, Binding)).Reason);
    }

    [Fact]
    public void A_token_made_with_the_previous_key_is_accepted_after_rotation()
    {
        var token = Tokens(KeyA).Issue(Binding, Cursors);

        var opened = Tokens(KeyB, previousKey: KeyA).Open(token, Binding);

        Assert.Equal(Cursors, opened);
    }

    [Fact]
    public void A_token_past_its_lifetime_is_expired_and_within_it_is_accepted()
    {
        var tokens = Tokens(KeyA, lifetime: TimeSpan.FromMinutes(10));
        var token = tokens.Issue(Binding, Cursors);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Cursors, tokens.Open(token, Binding));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("PAGE_TOKEN_EXPIRED", Refusal(() => tokens.Open(token, Binding)).Reason);
    }

    [Fact]
    public void A_token_issued_in_the_future_is_invalid()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Issue(Binding, Cursors);
        _clock.Advance(TimeSpan.FromHours(-2));

        Assert.Equal("PAGE_TOKEN_INVALID", Refusal(() => tokens.Open(token, Binding)).Reason);
    }

    [Fact]
    public void The_token_carries_neither_the_IIN_nor_the_client_in_clear()
    {
        var token = Tokens(KeyA).Issue(Binding, Cursors);

        var text = System.Text.Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));

        Assert.DoesNotContain("791028302728", text, StringComparison.Ordinal);
        Assert.DoesNotContain("karasai-office", text, StringComparison.Ordinal);
        Assert.DoesNotContain("195200000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_longer_than_the_maximum_is_invalid_unread()
    {
        Assert.Equal("PAGE_TOKEN_INVALID", Refusal(() => Tokens(KeyA).Open(new string('A', PageTokens.MaximumLength + 4), Binding)).Reason);
    }
}
