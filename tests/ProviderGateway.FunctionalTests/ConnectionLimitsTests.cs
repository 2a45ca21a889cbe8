using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>The limits the gateway sets on Kestrel's connections unless <c>Kestrel:Limits</c> says otherwise.</summary>
public sealed class ConnectionLimitsTests
{
    [Fact]
    public async Task A_connection_that_never_completes_its_request_headers_is_closed_after_the_header_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings { ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:01" });
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.HttpAddress.Host, gateway.HttpAddress.Port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
        // Read until the server closes the connection (or the generous bound passes: then the test fails).
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var buffer = new byte[1024];
        var closed = false;
        try
        {
            while (await stream.ReadAsync(buffer, bound.Token) > 0)
            {
            }

            closed = true;
        }
        catch (IOException)
        {
            closed = true; // reset by the server
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(closed, "the server kept a connection with incomplete headers open for 8 s");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"closed after {clock.Elapsed.TotalSeconds:F1} s, before the timeout");
    }

    [Fact]
    public async Task Configured_Kestrel_limits_win_over_the_gateways_defaults()
    {
        await using var defaults = await TestGateway.StartAsync();
        await using var configured = await TestGateway.StartAsync(settings: new GatewaySettings
        {
            ["Kestrel:Limits:MaxConcurrentConnections"] = "10",
            ["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = "7",
            ["Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond"] = "1000",
        });

        var gatewayDefaults = LimitsOf(defaults);
        var chosen = LimitsOf(configured);

        Assert.Equal(4096, gatewayDefaults.MaxConcurrentConnections);
        Assert.Equal(100, gatewayDefaults.Http2.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(10), gatewayDefaults.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), gatewayDefaults.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), gatewayDefaults.Http2.KeepAlivePingTimeout);
        Assert.Equal(32 * 1024, gatewayDefaults.MaxRequestHeadersTotalSize);
        Assert.Equal((240d, TimeSpan.FromSeconds(5)), (gatewayDefaults.MinRequestBodyDataRate!.BytesPerSecond, gatewayDefaults.MinRequestBodyDataRate.GracePeriod));
        Assert.Equal(10, chosen.MaxConcurrentConnections);
        Assert.Equal(7, chosen.Http2.MaxStreamsPerConnection);
        Assert.Equal((1000d, TimeSpan.FromSeconds(5)), (chosen.MinRequestBodyDataRate!.BytesPerSecond, chosen.MinRequestBodyDataRate.GracePeriod));
        Assert.Equal(TimeSpan.FromSeconds(10), chosen.RequestHeadersTimeout);
    }

    private static KestrelServerLimits LimitsOf(TestGateway gateway) =>
        gateway.Application.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
}
