using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;
using ProviderGateway.AccessHistory;
using ProviderGateway.Audit;
using ProviderGateway.BrowserDesks;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Consent;
using ProviderGateway.Delivery;
using ProviderGateway.Districts;
using ProviderGateway.Errors;
using ProviderGateway.FrontDesk;
using ProviderGateway.HealthChecks;
using ProviderGateway.Localization;
using ProviderGateway.Overview;
using ProviderGateway.Paging;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using ProviderGateway.Routing;
using ProviderGateway.Security;
using ProviderGateway.Submissions;
using ProviderGateway.Telemetry;
using ProviderGateway.Validation;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;

namespace ProviderGateway.Hosting;

/// <summary>Adds the gateway's parts to a <see cref="WebApplicationBuilder"/>, one method per concern.</summary>
public static class GatewayBuilderExtensions
{
    /// <summary>
    /// Binds the three Kestrel endpoints (gRPC, HTTP/1.1, management) from <c>Kestrel:Endpoints</c>; refuses to start
    /// without a management endpoint of its own.
    /// </summary>
    public static GatewayListeners AddGatewayListeners(this WebApplicationBuilder builder)
    {
        if (GatewayListeners.Check(builder.Configuration) is { Count: > 0 } failures)
        {
            throw new OptionsValidationException("Kestrel:Endpoints", typeof(GatewayListeners), failures);
        }

        var listeners = new GatewayListeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel((context, kestrel) => listeners.Configure(kestrel, context.Configuration));
        return listeners;
    }

    /// <summary>Adds the configuration and the provider registry, validated at start-up.</summary>
    public static WebApplicationBuilder AddGatewayConfiguration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, ProviderOAuth2Validator>();
        builder.Services.AddDeclaredOptions<GatewayOptions, GatewayOptionsDeclaredValidator>(GatewayOptions.SectionName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProviderRegistry>();
        return builder;
    }

    /// <summary>
    /// Adds the cache of provider answers: FusionCache with memory (L1), and with Redis (L2) plus its
    /// backplane when <c>Gateway:Caching:Redis</c> is set; protobuf values sealed with AES-GCM, keyed-hash keys.
    /// </summary>
    public static WebApplicationBuilder AddGatewayCaching(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<CachingOptions>, CachingOptionsValidator>();
        services.AddDeclaredOptions<CachingOptions, CachingOptionsDeclaredValidator>(CachingOptions.SectionName);
        services.AddSingleton<CacheSecrets>();
        services.AddSingleton<CacheKeys>();
        services.AddSingleton<CacheValueProtector>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CachePolicies>();
        services.AddSingleton<ProtobufCacheSerializer>();
        services.AddSingleton<ProviderAnswerCache>();
        services.AddSingleton<CacheInvalidation>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidation>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>(RedisHealthCheck.Name);

        services.AddOptions<FusionCacheOptions>()
            .Configure<IOptions<CachingOptions>>((options, caching) =>
            {
                var settings = caching.Value;
                options.CacheKeyPrefix = settings.KeyPrefix;
                options.BackplaneChannelPrefix = settings.KeyPrefix + "backplane";
                // A Redis that failed is left alone for a while: no call waits on a dead Redis.
                options.DistributedCacheCircuitBreakerDuration = settings.RedisRetryAfter;
                options.BackplaneCircuitBreakerDuration = settings.RedisRetryAfter;
                options.ReThrowOriginalExceptions = true;
                // The pipeline logs provider failures itself, naming provider and method only.
                options.FactoryErrorsLogLevel = LogLevel.Debug;
                // Per call while a provider fails: Debug (the pipeline's per-call lines are Debug too; the circuit and health
                // changes are logged where they happen).
                options.FailSafeActivationLogLevel = LogLevel.Debug;
                options.TagsDefaultEntryOptions.Size = 1;
            });
        var fusion = services.AddFusionCache()
            .WithRegisteredOptions()
            .WithDefaultEntryOptions(options => options.Size = 1)
            .WithMemoryCache(sp => new MemoryCache(new MemoryCacheOptions { SizeLimit = sp.GetRequiredService<IOptions<CachingOptions>>().Value.MemoryMaxEntries }))
            .WithSerializer(sp => sp.GetRequiredService<ProtobufCacheSerializer>());

        // Whether there is a Redis decides which services exist, so it is read before the container is built (options are
        // not there yet); every other setting comes from IOptions<CachingOptions>.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{CachingOptions.SectionName}:Redis"]))
        {
            services.AddSingleton<RedisConnection>();
            fusion
                // Values sealed and bound to their Redis key below FusionCache, where the key is known.
                .WithDistributedCache(sp => new SealedDistributedCache(
                    new RedisCache(Options.Create(new RedisCacheOptions
                    {
                        ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<RedisConnection>().Multiplexer),
                    })),
                    sp.GetRequiredService<CacheValueProtector>(),
                    sp.GetRequiredService<CacheMetrics>()))
                .WithBackplane(sp => new RedisBackplane(
                    Options.Create(new RedisBackplaneOptions
                    {
                        ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<RedisConnection>().Multiplexer),
                    }),
                    sp.GetRequiredService<ILogger<RedisBackplane>>()));
        }

        return builder;
    }

    /// <summary>
    /// Adds resilience (Polly pipelines per provider: retries within a budget, circuit breaker, concurrency
    /// limit, with Microsoft.Extensions.Resilience's telemetry) and provider health (active probes, passive counts).
    /// </summary>
    public static WebApplicationBuilder AddGatewayResilience(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>();
        services.AddDeclaredOptions<ResilienceOptions, ResilienceOptionsDeclaredValidator>(ResilienceOptions.SectionName);
        services.AddResiliencePipelineRegistry<string>();
        services.AddResilienceEnricher();
        // Polly logs every retry and every call refused by the concurrency limit as a warning or an error:
        // thousands of lines a second when a provider flaps or is saturated, which costs more CPU than the
        // calls themselves. They are Debug; circuit state changes keep their severity.
        services.Configure<TelemetryOptions>(telemetry =>
        {
            telemetry.SeverityProvider = args =>
                args.Event.EventName is "OnRetry" or "ExecutionAttempt" or "OnRateLimiterRejected"
                    ? ResilienceEventSeverity.Debug
                    : args.Event.Severity;
            // Polly logs each call's result, by default the provider's whole answer (IINs, names, addresses):
            // only its kind is logged.
            telemetry.ResultFormatter = (_, result) => result switch
            {
                null => null,
                RpcException failure => $"RpcException {failure.StatusCode}",
                Exception failure => failure.GetType().Name,
                _ => result.GetType().Name,
            };
        });
        services.AddSingleton<ProviderResilience>();
        services.AddSingleton<PassiveHealthTracker>();
        services.AddSingleton<ProviderHealthProbe>();
        services.AddSingleton<ProviderHealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ProviderHealthMonitor>());
        return builder;
    }

    /// <summary>
    /// Adds security: client authentication (API key, or client certificate on a TLS endpoint), access control and
    /// the access journal (one interceptor), and the per-client rate limiter.
    /// </summary>
    public static WebApplicationBuilder AddGatewaySecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, RevocationListsValidator>();
        services.AddSingleton<IFrameworkRefusals, FrameworkRefusals>();
        services.AddDeclaredOptions<SecurityOptions, SecurityOptionsDeclaredValidator>(SecurityOptions.SectionName);
        services.AddSingleton<GatewayClients>();
        services.AddSingleton<SubjectHasher>();
        services.AddSingleton<AccessJournal>();
        // Read before the container is built: whether there is a Redis decides which anchor service exists.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{CachingOptions.SectionName}:Redis"]))
        {
            // The journal's checkpoints are also kept in the cache's Redis (the Audit folder knows no Redis).
            services.AddSingleton<IJournalAnchor, RedisJournalAnchor>();
        }

        services.AddHostedService(sp => sp.GetRequiredService<AccessJournal>());
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<AccessJournaling>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<ClientCertificateRevocation>();

        // API keys are checked by ClientAuthentication; certificates by ASP.NET Core's certificate handler.
        // No default scheme: with one scheme registered ASP.NET Core would make it the default and run the certificate
        // handler (and its metric) on every call, certificate or not; ClientAuthentication calls it when needed.
        // (A process-wide switch, read when the options are built: it only concerns hosts with a single scheme.)
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication().AddCertificate();
        services.AddOptions<CertificateAuthenticationOptions>(CertificateAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<SecurityOptions>>((options, security) =>
            {
                // Client certificates must chain to the configured authority; the client is the one whose
                // thumbprint is configured.
                options.AllowedCertificateTypes = CertificateTypes.Chained;
                options.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
                // Online: the chain engine fetches each certificate's CRL (or OCSP) and fails the chain when it cannot.
                // Offline: ClientCertificateRevocation checks the configured CRL files once the chain is built.
                options.RevocationMode = security.Value.ClientCertificateRevocation == ClientCertificateRevocationMode.Online
                    ? X509RevocationMode.Online
                    : X509RevocationMode.NoCheck;
                if (security.Value.ClientCaCertificate is { } authority && File.Exists(authority))
                {
                    options.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(authority)));
                }

                options.Events = new CertificateAuthenticationEvents
                {
                    OnCertificateValidated = context =>
                    {
                        var services = context.HttpContext.RequestServices;
                        var client = services.GetRequiredService<GatewayClients>().FindByCertificate(context.ClientCertificate);
                        if (services.GetRequiredService<ClientCertificateRevocation>().RefusalOf(context.ClientCertificate) is { } refusal)
                        {
                            context.Fail(refusal);
                        }
                        else if (client is null)
                        {
                            context.Fail("The certificate is not one of a configured client.");
                        }
                        else
                        {
                            context.Principal = GatewayClients.PrincipalOf(client, CertificateAuthenticationDefaults.AuthenticationScheme);
                            context.Success();
                        }

                        return Task.CompletedTask;
                    },
                };
            });
        // Rate limits: shared by every instance through Redis when there is one (SharedRateLimits), else this instance's.
        var sharedLimits = !string.IsNullOrWhiteSpace(builder.Configuration[$"{CachingOptions.SectionName}:Redis"])
            && builder.Configuration.GetValue($"{SecurityOptions.SectionName}:SharedRateLimits:Enabled", true);
        if (sharedLimits)
        {
            services.AddSingleton<ISharedRateLimitBuckets, RedisRateLimitBuckets>();
            services.AddSingleton(sp => new ClientRateLimits(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ISharedRateLimitBuckets>(),
                sp.GetRequiredService<IOptions<SecurityOptions>>().Value.SharedRateLimits,
                sp.GetRequiredService<IOptions<CachingOptions>>().Value.RedisRetryAfter,
                sp.GetRequiredService<GatewayMetrics>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientRateLimits).FullName!)));
        }
        else
        {
            services.AddSingleton(sp => new ClientRateLimits(sp.GetRequiredService<TimeProvider>()));
        }
        return builder;
    }

    /// <summary>
    /// Adds durable submissions (<c>Gateway:Submissions</c>): the desk's side always (without a store, writes sent with
    /// DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE are answered as in SYNC when the provider can take them, refused otherwise);
    /// with a store, the store (SQLite by default beside the journal, or PostgreSQL), its sealer and the relay.
    /// </summary>
    public static WebApplicationBuilder AddGatewaySubmissions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<SubmissionOptions>, SubmissionOptionsValidator>();
        services.AddDeclaredOptions<SubmissionOptions, SubmissionOptionsDeclaredValidator>(SubmissionOptions.SectionName);
        services.AddSingleton<SubmissionRelaySignal>();
        services.AddSingleton<SubmissionBacklog>();
        services.AddSingleton<SubmissionMetrics>();

        // Read before the container is built: whether there is a store decides which services exist.
        var kind = builder.Configuration.GetSection(SubmissionOptions.SectionName).GetValue<SubmissionStoreKind?>(nameof(SubmissionOptions.Store)) ?? SubmissionStoreKind.None;
        if (kind == SubmissionStoreKind.None)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SubmissionDesk>(sp));
            return builder;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SubmissionOptions>>().Value;
            var previous = options.PreviousSealKeys.ToDictionary(
                p => short.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => Convert.FromBase64String(p.Value.Trim()));
            return new SubmissionSealer(Convert.FromBase64String(options.SealKey!.Trim()), (short)options.SealKeyId, Convert.FromBase64String(options.CitizenKey!.Trim()), previous);
        });
        services.AddSingleton<SubmissionStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SubmissionOptions>>().Value;
            var sealer = sp.GetRequiredService<SubmissionSealer>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILogger<SubmissionStore>>();
            return options.Store == SubmissionStoreKind.Postgres
                ? new PostgresSubmissionStore(options.ConnectionString!, sealer, time, logger)
                : new SqliteSubmissionStore(SqlitePathOf(options, sp.GetRequiredService<IOptions<SecurityOptions>>().Value), sealer, time, logger);
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SubmissionDesk>(sp, sp.GetRequiredService<SubmissionStore>()));
        services.AddSingleton<SubmissionRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<SubmissionRelay>());
        services.AddHealthChecks().AddCheck<SubmissionBacklogHealthCheck>(SubmissionBacklogHealthCheck.Name, tags: [GatewayOperationsExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// The SQLite file: as configured, or beside the access journal, named after it (<c>access-journal.submissions.db</c>
    /// for <c>access-journal.jsonl</c>), so that gateways with journals of their own never share one.
    /// </summary>
    public static string SqlitePathOf(SubmissionOptions options, SecurityOptions security) =>
        !string.IsNullOrWhiteSpace(options.SqlitePath)
            ? Path.GetFullPath(options.SqlitePath)
            : Path.ChangeExtension(Path.GetFullPath(security.Journal.Path ?? "access-journal.jsonl"), null) + ".submissions.db";

    /// <summary>Adds the call path: validation, routing, provider channels, the pipeline, fan-out and the directory.</summary>
    public static WebApplicationBuilder AddGatewayPipeline(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FrontDeskRequestValidator>();
        builder.Services.AddSingleton<DeskContextFactory>();
        builder.Services.AddSingleton<CallLanguages>();
        builder.Services.AddSingleton<ICallLanguages>(services => services.GetRequiredService<CallLanguages>());
        builder.Services.AddSingleton<ProviderRouter>();
        builder.Services.AddSingleton<PageTokens>();
        builder.Services.AddSingleton<ProviderChannels>();
        builder.Services.AddSingleton<ProviderDirectory>();
        builder.Services.AddSingleton<ProviderInvoker>();
        builder.Services.AddSingleton<ProviderOutcomeMapper>();
        builder.Services.AddSingleton<ProviderCallPipeline>();
        builder.Services.AddSingleton<FanOutLister>();
        builder.Services.AddSingleton<DistrictGuard>();
        builder.Services.AddSingleton<CitizenOverviewService>();
        return builder;
    }

    /// <summary>
    /// Adds the consent check (<c>Gateway:Consent</c>): always the gate and the front desk's consent methods; with an
    /// authority configured, its channel, the verifier and the follower of its revocations.
    /// </summary>
    public static WebApplicationBuilder AddGatewayConsent(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ConsentOptions>, ConsentOptionsValidator>();
        services.AddDeclaredOptions<ConsentOptions, ConsentOptionsDeclaredValidator>(ConsentOptions.SectionName);
        services.AddSingleton<ConsentGate>();
        services.AddSingleton<ConsentDesk>();

        // Read before the container is built: whether there is an authority decides which services exist.
        if (builder.Configuration.GetSection(ConsentOptions.SectionName)[nameof(ConsentOptions.Authority)] is { Length: > 0 })
        {
            services.AddSingleton<ConsentAuthority>();
            services.AddSingleton<ConsentRevocations>();
            services.AddHostedService(sp => sp.GetRequiredService<ConsentRevocations>());
            services.AddSingleton<ConsentVerifier>();
        }

        return builder;
    }

    /// <summary>
    /// Adds the access history (<c>Gateway:AccessHistory</c>): its index (by default in the submissions' database when that is
    /// PostgreSQL, shared by every instance; otherwise a SQLite file of its own beside the journal,
    /// <c>&lt;journal&gt;.access-history.db</c>), the feeder that follows the journal (and rebuilds the index from the journal
    /// files at start-up), the desk's side.
    /// </summary>
    public static WebApplicationBuilder AddGatewayAccessHistory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<AccessHistoryOptions>, AccessHistoryOptionsValidator>();
        services.AddDeclaredOptions<AccessHistoryOptions, AccessHistoryOptionsDeclaredValidator>(AccessHistoryOptions.SectionName);
        services.AddSingleton<AccessHistoryIndex>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AccessHistoryOptions>>().Value;
            var submissions = sp.GetRequiredService<IOptions<SubmissionOptions>>().Value;
            return AccessHistoryOptionsValidator.StoreOf(options, submissions) == AccessHistoryStoreKind.Postgres
                ? new PostgresAccessHistoryIndex(AccessHistoryOptionsValidator.ConnectionStringOf(options, submissions)!)
                : new SqliteAccessHistoryIndex(AccessHistorySqlitePathOf(options, sp.GetRequiredService<IOptions<SecurityOptions>>().Value));
        });
        services.AddSingleton<AccessHistoryFeeder>();
        services.AddSingleton<IJournalFollower>(sp => sp.GetRequiredService<AccessHistoryFeeder>());
        services.AddHostedService(sp => sp.GetRequiredService<AccessHistoryFeeder>());
        services.AddSingleton<AccessHistoryDesk>();
        return builder;
    }

    /// <summary>
    /// The access history's SQLite file: as configured, or beside this instance's journal, named after it
    /// (<c>access-journal.access-history.db</c> for <c>access-journal.jsonl</c>).
    /// </summary>
    public static string AccessHistorySqlitePathOf(AccessHistoryOptions options, SecurityOptions security) =>
        !string.IsNullOrWhiteSpace(options.SqlitePath)
            ? Path.GetFullPath(options.SqlitePath)
            : Path.ChangeExtension(AccessHistoryFeeder.OwnJournal(security.Journal).Path, null) + ".access-history.db";

    /// <summary>Adds gRPC with the gateway's error handling and server reflection (grpc.health.v1: <see cref="GatewayOperationsExtensions"/>).</summary>
    public static WebApplicationBuilder AddGatewayGrpc(this WebApplicationBuilder builder)
    {
        // A singleton: gRPC would otherwise build the service anew for every call. No interceptors: each front-desk method
        // runs inside FrontDeskCallGuard (the desk-call count, access control, the journal, unexpected failures), and the
        // other services' methods have their unexpected failures translated where they are bound (GrpcServiceBinding).
        builder.Services.AddSingleton<FrontDeskGrpcService>();
        builder.Services.AddSingleton<UnexpectedFailures>();
        builder.Services.AddSingleton<FrontDeskCallGuard>();
        builder.Services.AddGrpc(options =>
        {
            // Exception details never reach desks: they could carry provider internals.
            options.EnableDetailedErrors = false;
            // No catch-all routes for unknown services and methods: routing made their captures on every call of the
            // served methods too. Errors/UnknownGrpcMethods answers such calls UNIMPLEMENTED (METHOD_NOT_FOUND) instead.
            options.IgnoreUnknownServices = true;
        });
        // The largest message read is Gateway:Security:MaxRequestBytes, taken from the validated options.
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<SecurityOptions>>((options, security) => options.MaxReceiveMessageSize = security.Value.MaxRequestBytes);
        builder.Services.AddGrpcReflection();
        builder.AddBrowserDesks();
        // Last, after every AddGrpc: front-desk requests that are not well-formed protobuf become INVALID_ARGUMENT in the
        // marshaller, not an Error log line.
        builder.Services.UseGatewayServiceBinding();
        return builder;
    }
}
