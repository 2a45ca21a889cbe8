using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Registry;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.HealthChecks;
using ProviderGateway.Overview;
using ProviderGateway.Paging;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using ProviderGateway.Routing;
using ProviderGateway.Security;
using ProviderGateway.Telemetry;
using ProviderGateway.Tests.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// The pipeline's steps wired as the gateway wires them, without a server: every provider is a
/// <see cref="ScriptedProvider"/>, every clock (Polly's included) is one <see cref="FakeTimeProvider"/>, the cache is
/// FusionCache in memory only.
/// </summary>
internal sealed class PipelineHarness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Dictionary<string, ScriptedProvider> _scripted = new(StringComparer.Ordinal);
    private readonly FusionCache _cache;
    private readonly CacheKeys _keys;

    public PipelineHarness(ProviderOptions[] providers, ResilienceOptions? resilience = null, CachingOptions? caching = null, Microsoft.Extensions.Caching.Distributed.IDistributedCache? distributed = null)
    {
        resilience ??= Resilient();
        caching ??= new CachingOptions { KeySecret = ProviderGateway.TestSupport.TestSecrets.KeySecret };
        var gateway = Options.Create(new GatewayOptions { Providers = providers });
        Registry = new ProviderRegistry(gateway, Options.Create(resilience));
        foreach (var provider in Registry.All)
        {
            _scripted[provider.Id] = new ScriptedProvider(Time);
        }

        var polly = new ResiliencePipelineRegistry<string>(new ResiliencePipelineRegistryOptions<string>
        {
            BuilderFactory = () => new ResiliencePipelineBuilder { TimeProvider = Time },
        });
        Resilience = new ProviderResilience(polly, Options.Create(resilience), Time);
        PassiveHealth = new PassiveHealthTracker(Options.Create(resilience), Time);
        Invoker = new ProviderInvoker(p => _scripted[p.Id], Resilience, PassiveHealth, Time);
        Mapper = new ProviderOutcomeMapper(Time, NullLogger<ProviderCallPipeline>.Instance);

        _cache = new FusionCache(new FusionCacheOptions());
        if (distributed is not null)
        {
            // The shared level as the gateway has it (Redis in production), with the gateway's serializer.
            _cache.SetupDistributedCache(distributed, new ProtobufCacheSerializer());
        }

        _keys = new CacheKeys(CacheTestSecrets.Secrets());
        Policies = new CachePolicies(gateway, Options.Create(caching));
        Answers = new ProviderAnswerCache(_cache, _keys, new CacheInvalidation(_cache, Options.Create(caching), NullLogger<CacheInvalidation>.Instance), Options.Create(caching), Time);
        Router = new ProviderRouter(Registry);
        Pipeline = new ProviderCallPipeline(Router, Policies, Answers, Invoker, Mapper, new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), Time);
        var pageKey = Convert.ToBase64String(Enumerable.Repeat((byte)0x5C, 32).ToArray());
        Lister = new FanOutLister(Router, new PageTokens(Options.Create(new SecurityOptions { PageTokens = new PageTokenOptions { Key = pageKey } }), Time), Pipeline, Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public ProviderRegistry Registry { get; }

    public ProviderResilience Resilience { get; }

    public PassiveHealthTracker PassiveHealth { get; }

    public ProviderInvoker Invoker { get; }

    public ProviderOutcomeMapper Mapper { get; }

    public CachePolicies Policies { get; }

    public ProviderAnswerCache Answers { get; }

    public ProviderRouter Router { get; }

    public ProviderCallPipeline Pipeline { get; }

    public FanOutLister Lister { get; }

    /// <summary>Retries without backoff (the delay is not what is tested), a breaker that stays out of the way.</summary>
    public static ResilienceOptions Resilient(int maxRetries = 2, int breakerThroughput = 1000, double budgetRatio = 0.5, int budgetPerSecond = 10) => new()
    {
        Retry = new RetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.FromMilliseconds(250), BudgetRatio = budgetRatio, BudgetMinimumPerSecond = budgetPerSecond },
        CircuitBreaker = new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = breakerThroughput, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(5) },
    };

    public static ProviderOptions Provider(string id, string domain = "utilities", TimeSpan? deadline = null, int? maxConcurrentCalls = null) => new()
    {
        Id = id,
        Domain = domain,
        Endpoint = "http://127.0.0.1:1",
        Deadline = deadline ?? TimeSpan.FromSeconds(2),
        MaxConcurrentCalls = maxConcurrentCalls,
    };

    /// <summary>
    /// Ends the current time of a cached answer as its duration running out would (FusionCache keeps its own clock), keeping
    /// it for fail-safe.
    /// </summary>
    public ValueTask ExpireAsync(string providerId, string method, Google.Protobuf.IMessage request) =>
        _cache.ExpireAsync(_keys.ForRead(providerId, method, request));

    public ScriptedProvider Script(string providerId) => _scripted[providerId];

    public ProviderDescriptor Descriptor(string providerId) => Registry.Find(providerId)!;

    /// <summary>A desk's call with <paramref name="timeLeft"/> (3 s unless given) to its deadline.</summary>
    public DeskContext Desk(TimeSpan? timeLeft = null, CancellationToken cancellation = default, CancellationToken aborted = default, bool bypassCache = false) =>
        new(Time.GetUtcNow().UtcDateTime + (timeLeft ?? TimeSpan.FromSeconds(3)), cancellation, bypassCache, new CallerIdentity("karasai-office", "operator-7", "citizen-enquiry"), aborted);

    public void Dispose()
    {
        _cache.Dispose();
        _keys.Dispose();
        _services.Dispose();
    }
}
