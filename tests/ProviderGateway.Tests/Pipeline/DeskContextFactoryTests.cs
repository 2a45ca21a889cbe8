using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Localization;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Tests.Security;
using ProviderGateway.Tests.Resilience;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>The desk's clock: its grpc-timeout counted from the request's arrival, less the margin kept to answer.</summary>
public sealed class DeskContextFactoryTests
{
    private readonly ManualClock _clock = new();

    [Theory]
    [InlineData("3S", 3_000_000)]
    [InlineData("2999m", 2_999_000)]
    [InlineData("1500000u", 1_500_000)]
    [InlineData("25000000n", 25_000)]
    [InlineData("1M", 60_000_000)]
    [InlineData("1H", 3_600_000_000)]
    [InlineData("99999999m", 99_999_999_000)]
    public void A_grpc_timeout_is_read_in_each_unit(string header, long microseconds)
    {
        Assert.True(DeskCallArrival.TryParseTimeout(header, out var timeout));
        Assert.Equal(TimeSpan.FromMicroseconds(microseconds), timeout);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("3")]
    [InlineData("3s")]
    [InlineData("-3S")]
    [InlineData("+3S")]
    [InlineData(" 3S")]
    [InlineData("123456789S")]
    [InlineData("3.5S")]
    [InlineData("٣S")]
    public void Anything_else_is_not_a_timeout(string? header)
    {
        Assert.False(DeskCallArrival.TryParseTimeout(header, out _));
    }

    [Fact]
    public void The_deadline_runs_from_the_arrival_not_from_when_the_handler_started()
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0);
        var arrival = _clock.GetUtcNow().UtcDateTime;
        var http = Request(arrival, "3S");
        // The handler started 400 ms later (a cold process, a busy machine): grpc-dotnet's deadline starts there.
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        var call = CallOf(http, _clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(3));

        var desk = factory.For(call);

        Assert.Equal(arrival + TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(50), desk.Deadline);
    }

    [Fact]
    public void Without_an_arrival_the_handlers_deadline_is_kept()
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0);
        var http = new DefaultHttpContext();
        var deadline = _clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(2);

        Assert.Equal(deadline - TimeSpan.FromMilliseconds(50), factory.For(CallOf(http, deadline)).Deadline);
    }

    [Fact]
    public void A_desk_without_a_deadline_gets_the_default_from_its_arrival()
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0.08);
        var arrival = _clock.GetUtcNow().UtcDateTime;
        var http = Request(arrival, grpcTimeout: null);
        _clock.Advance(TimeSpan.FromMilliseconds(300));

        var desk = factory.For(CallOf(http, DateTime.MaxValue));

        // The default 10 s: a margin of 8% of it.
        Assert.Equal(arrival + TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(800), desk.Deadline);
    }

    [Theory]
    [InlineData(3_000, 240)]
    [InlineData(500, 50)]
    [InlineData(625, 50)]
    [InlineData(1_000, 80)]
    [InlineData(0, 50)]
    [InlineData(-10, 50)]
    public void The_margin_is_a_share_of_the_desks_time_and_never_below_the_minimum(int timeMs, int marginMs)
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0.08);

        Assert.Equal(TimeSpan.FromMilliseconds(marginMs), factory.MarginOf(TimeSpan.FromMilliseconds(timeMs)));
    }

    [Fact]
    public void A_short_deadline_keeps_the_minimum_margin()
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0.08);
        var arrival = _clock.GetUtcNow().UtcDateTime;
        var http = Request(arrival, "300m");

        var desk = factory.For(CallOf(http, arrival + TimeSpan.FromMilliseconds(300)));

        Assert.Equal(arrival + TimeSpan.FromMilliseconds(250), desk.Deadline);
    }

    [Theory]
    [InlineData(null, "ru")]
    [InlineData("kk-KZ,kk;q=0.9,ru;q=0.8", "kk")]
    [InlineData("en-US,en;q=0.9", "en")]
    [InlineData("de-DE", "ru")]
    public void The_desks_language_is_the_one_its_accept_language_prefers_else_the_gateways_default(string? acceptLanguage, string expected)
    {
        var factory = Factory(margin: TimeSpan.FromMilliseconds(50), share: 0.08);
        var arrival = _clock.GetUtcNow().UtcDateTime;
        var http = Request(arrival, null);
        if (acceptLanguage is not null)
        {
            http.Request.Headers.AcceptLanguage = acceptLanguage;
        }

        Assert.Equal(expected, factory.For(CallOf(http, DateTime.MaxValue)).Language);
    }

    private DeskContextFactory Factory(TimeSpan margin, double share)
    {
        var gateway = Options.Create(new GatewayOptions { DefaultLanguage = "ru" });
        var resilience = Options.Create(new ResilienceOptions { DeadlineMargin = margin, DeadlineMarginShare = share });
        return new(resilience, new CallLanguages(gateway, new ProviderRegistry(gateway, resilience)), _clock);
    }

    private static DefaultHttpContext Request(DateTime arrival, string? grpcTimeout)
    {
        var http = new DefaultHttpContext();
        http.Features.Set(new DeskCallArrival(arrival));
        if (grpcTimeout is not null)
        {
            http.Request.Headers["grpc-timeout"] = grpcTimeout;
        }

        return http;
    }

    private static DeskServerCall CallOf(HttpContext http, DateTime deadline) => new(http, deadline: deadline);
}
