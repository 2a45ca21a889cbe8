using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>With an OTLP endpoint configured, the spans of a desk's call reach the collector under the desk's trace id.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task The_spans_of_a_call_are_exported_to_the_configured_collector_under_the_desks_trace_id()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings
        {
            ["Gateway:Telemetry:OtlpEndpoint"] = collector.Address.ToString(),
            ["Gateway:Telemetry:OtlpProtocol"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100", // export batches every 100 ms instead of 5 s
        });
        var account = DemoData.Seed.UtilityAccounts[0];
        var desk = new Activity("front-desk call");
        desk.SetIdFormat(ActivityIdFormat.W3C);
        desk.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        using (desk.Start())
        {
            await gateway.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });
        }

        var traceId = new byte[16];
        desk.TraceId.CopyTo(traceId);
        var exported = await MetricsTests.PollAsync(() => Task.FromResult(collector.Traces.Any(body => body.AsSpan().IndexOf(traceId) >= 0)));

        Assert.True(exported, $"No trace export carried the desk's trace id ({collector.Traces.Count} exports received).");
        Assert.DoesNotContain(collector.Traces, body => System.Text.Encoding.UTF8.GetString(body).Contains(account.Iin, StringComparison.Ordinal));
    }

    /// <summary>An OTLP/HTTP receiver on loopback that keeps what it is sent.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OtlpCollector(WebApplication app, Uri address, ConcurrentBag<byte[]> traces)
        {
            _app = app;
            Address = address;
            Traces = traces;
        }

        public Uri Address { get; }

        /// <summary>The bodies of the trace exports received (OTLP protobuf).</summary>
        public ConcurrentBag<byte[]> Traces { get; }

        public static async Task<OtlpCollector> StartAsync()
        {
            // An empty builder: nothing from the test folder's appsettings.json (the gateway's endpoints) applies.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
            builder.Services.AddRoutingCore();
            var app = builder.Build();
            var traces = new ConcurrentBag<byte[]>();
            app.MapPost("/v1/traces", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                traces.Add(body.ToArray());
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
            return new OtlpCollector(app, address, traces);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
