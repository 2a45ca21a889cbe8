using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Errors;
using ProviderGateway.Overview;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Routing;
using ProviderGateway.Validation;

namespace ProviderGateway.Hosting;

/// <summary>Adds the gateway's parts to a <see cref="WebApplicationBuilder"/>, one method per concern.</summary>
public static class GatewayBuilderExtensions
{
    /// <summary>Binds the two Kestrel endpoints (gRPC and HTTP/1.1) from <c>Kestrel:Endpoints</c>.</summary>
    public static GatewayListeners AddGatewayListeners(this WebApplicationBuilder builder)
    {
        var listeners = new GatewayListeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel((context, kestrel) => listeners.Configure(kestrel, context.Configuration));
        return listeners;
    }

    /// <summary>Adds the configuration and the provider registry, validated at start-up.</summary>
    public static WebApplicationBuilder AddGatewayConfiguration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProviderRegistry>();
        return builder;
    }

    /// <summary>Adds the call path: validation, routing, provider channels, the pipeline, fan-out and the directory.</summary>
    public static WebApplicationBuilder AddGatewayPipeline(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FrontDeskRequestValidator>();
        builder.Services.AddSingleton<ProviderRouter>();
        builder.Services.AddSingleton<ProviderChannels>();
        builder.Services.AddSingleton<ProviderHealthProbe>();
        builder.Services.AddSingleton<ProviderDirectory>();
        builder.Services.AddSingleton<ProviderCallPipeline>();
        builder.Services.AddSingleton<FanOutLister>();
        builder.Services.AddSingleton<CitizenOverviewService>();
        return builder;
    }

    /// <summary>Adds gRPC with the gateway's error handling, server reflection and grpc.health.v1.</summary>
    public static WebApplicationBuilder AddGatewayGrpc(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<UnexpectedFailureInterceptor>();
            // Exception details never reach desks: they could carry provider internals.
            options.EnableDetailedErrors = false;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("gateway", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        return builder;
    }
}
