using System.Text.Encodings.Web;
using System.Text.Json;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ProviderGateway.Audit;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.HealthChecks;
using ProviderGateway.Resilience;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Hosting;

/// <summary>
/// What the akimat's IT runs the gateway with: health (grpc.health.v1 for the gateway and per provider;
/// HTTP <c>/healthz</c>, <c>/readyz</c>, <c>/health</c>), metrics (OpenTelemetry, scraped at <c>/metrics</c>),
/// traces (W3C trace context to the providers; OTLP export when configured) and logs with the trace id.
/// </summary>
public static class GatewayOperationsExtensions
{
    /// <summary>The tag of the checks <c>/readyz</c> and the gateway's own grpc.health.v1 services run.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds the health checks: readiness (configuration valid, every domain with a provider that can take
    /// calls), one check per provider, and Redis; and serves them through grpc.health.v1: <c>""</c> and
    /// <c>providergateway.frontdesk.v1.FrontDeskService</c> follow readiness, <c>providergateway.provider.ID</c>
    /// follows that provider.
    /// </summary>
    public static WebApplicationBuilder AddGatewayHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<ConfigurationReadinessCheck>(ConfigurationReadinessCheck.Name, tags: [ReadyTag])
            .AddCheck<DomainReadinessCheck>(DomainReadinessCheck.Name, tags: [ReadyTag])
            .AddCheck<ShutdownReadinessCheck>(ShutdownReadinessCheck.Name, tags: [ReadyTag]);
        builder.Services.AddSingleton<InstanceShutdown>();
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map("", r => r.Tags.Contains(ReadyTag));
            health.Services.Map(FrontDeskService.Descriptor.FullName, r => r.Tags.Contains(ReadyTag));
        });

        // One check and one grpc.health.v1 service per provider, from the validated providers (the embedded default's too).
        builder.Services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<GatewayOptions>>((checks, gateway) =>
        {
            foreach (var provider in gateway.Value.Providers)
            {
                var id = provider.Id;
                checks.Registrations.Add(new HealthCheckRegistration(
                    ProviderHealthCheck.NameOf(id),
                    sp => ActivatorUtilities.CreateInstance<ProviderHealthCheck>(sp, id),
                    failureStatus: null,
                    tags: ["provider"]));
            }
        });
        builder.Services.AddOptions<GrpcHealthChecksOptions>().Configure<IOptions<GatewayOptions>>((health, gateway) =>
        {
            foreach (var provider in gateway.Value.Providers)
            {
                var name = ProviderHealthCheck.NameOf(provider.Id);
                health.Services.Map(ProviderHealthCheck.GrpcServiceOf(provider.Id), r => r.Name == name);
            }
        });
        return builder;
    }

    /// <summary>
    /// Replaces the console lifetime with <see cref="GracefulShutdown"/> (<c>Gateway:Shutdown</c>): SIGTERM makes the
    /// instance not ready, then stops it after the delay, draining the calls in flight for up to the drain timeout, which
    /// is the host's shutdown timeout.
    /// </summary>
    public static WebApplicationBuilder AddGatewayShutdown(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDeclaredOptions<ShutdownOptions, ShutdownOptionsDeclaredValidator>(ShutdownOptions.SectionName);
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.DrainTimeout);
        services.AddSingleton<IHostLifetime, GracefulShutdown>();
        return builder;
    }

    /// <summary>
    /// Adds OpenTelemetry: the gateway's metrics and ASP.NET Core's, for the Prometheus scrape endpoint; traces
    /// of desk calls and of provider calls (W3C trace context flows from the desk to each provider); OTLP
    /// export when <c>Gateway:Telemetry:OtlpEndpoint</c> is set; the trace id in every log line.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<GatewayTelemetryOptions>, GatewayTelemetryOptionsValidator>();
        services.AddDeclaredOptions<GatewayTelemetryOptions, GatewayTelemetryOptionsDeclaredValidator>(GatewayTelemetryOptions.SectionName);
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<CircuitStateGauge>();
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        // JSON console lines are read by people too: quotes and '+' as themselves, not \u0027 (logs are not HTML).
        services.Configure<JsonConsoleFormatterOptions>(json => json.JsonWriterOptions = json.JsonWriterOptions with { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        // JSON lines for log collectors; readable lines for a person: in Development, or when the console is a terminal.
        // Logging:Console:FormatterName, when set, decides: a post-configuration, it sees the options as bound from it.
        var person = builder.Environment.IsDevelopment() || !Console.IsOutputRedirected;
        services.PostConfigure<ConsoleLoggerOptions>(console =>
        {
            if (string.IsNullOrEmpty(console.FormatterName))
            {
                console.FormatterName = person ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;
            }
        });

        // Read before the container is built: whether spans are recorded and which exporters exist are registrations, and
        // OpenTelemetry's resource is built with them. The values are validated at start-up with the section.
        var settings = builder.Configuration.GetSection(GatewayTelemetryOptions.SectionName).Get<GatewayTelemetryOptions>() ?? new GatewayTelemetryOptions();
        var otlp = settings.OtlpEndpoint is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri : null;
        var exportOtlp = otlp is not null || !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        void Otlp(OtlpExporterOptions exporter, string signal)
        {
            exporter.Protocol = protocol;
            if (otlp is not null)
            {
                // Over HTTP the endpoint set in code is the signal's full URL.
                exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(otlp, signal) : otlp;
            }
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName, serviceVersion: typeof(GatewayMetrics).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's request duration and Kestrel's connections; not its per-call meters of routing,
                // rate limiting, authentication and the memory pool (six more instruments recorded on every call, a
                // tenth of the CPU of a cached answer): the desk-call count says what the desks got, refusals included.
                metrics.AddMeter(GatewayMetrics.MeterName, AccessJournal.MeterName, CacheMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (exportOtlp)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, "v1/metrics"));
                }
            });

        // Spans are recorded only when there is somewhere to send them; otherwise trace context still flows
        // from the desk to the providers and into the logs, through propagation-only activities.
        if (!exportOtlp)
        {
            services.AddHostedService<TraceContextListener>();
        }
        else
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsOperationsPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Otlp(o, "v1/traces")));
        }

        return builder;
    }

    /// <summary>
    /// Maps grpc.health.v1 (on the desks' endpoints) and, on the management endpoint only, <c>/healthz</c> (liveness: the
    /// process answers), <c>/readyz</c> (readiness), <c>/health</c> (every check with its status, for operators) and
    /// <c>/metrics</c> (Prometheus).
    /// </summary>
    public static WebApplication MapGatewayOperations(this WebApplication app)
    {
        // grpc.health.v1 stays with the desks' endpoints: load balancers of the gRPC endpoint probe it there.
        app.MapGrpcHealthChecksService();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthReportAsync }).OnManagementEndpoint();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthReportAsync }).OnManagementEndpoint();
        // A report, not a probe: always 200, Redis or a provider down shows in its entries.
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteHealthReportAsync,
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK, [HealthStatus.Unhealthy] = StatusCodes.Status200OK },
        }).OnManagementEndpoint();
        app.MapPrometheusScrapingEndpoint("/metrics").OnManagementEndpoint();
        // The instruments and gauges (circuits, Redis) exist from the start, not from the first provider call.
        _ = app.Services.GetRequiredService<GatewayMetrics>();
        _ = app.Services.GetRequiredService<CircuitStateGauge>();
        _ = app.Services.GetRequiredService<CacheMetrics>();
        return app;
    }

    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz")
        || path.StartsWithSegments("/health") || path.StartsWithSegments("/grpc.health.v1.Health");

    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
