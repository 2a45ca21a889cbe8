using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;
using ProviderGateway.Consent;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.FrontDesk;
using ProviderGateway.Providers;
using ProviderGateway.Routing;
using ProviderGateway.Security;
using ProviderGateway.Telemetry;
using ProviderGateway.Validation;

namespace ProviderGateway.Tests.Security;

/// <summary>
/// Access control as the front-desk service runs it, without a server: <see cref="FrontDeskCallGuard"/> (the desk-call
/// count, <see cref="AccessControl"/>, the journal, <see cref="UnexpectedFailures"/>) around a handler, with a real
/// <see cref="AccessJournal"/> writing to a temp folder (once <see cref="StartJournalAsync"/> is called) and a fake clock.
/// </summary>
internal sealed class AccessControlHarness : IAsyncDisposable
{
    public const string Operator = "op-17";
    public const string Purpose = "citizen-enquiry";
    private const string Marker = "(harness marker)";

    private readonly string _folder = Directory.CreateTempSubdirectory("access-control-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FrontDeskCallGuard _guard;

    /// <summary>The guard every front-desk method runs inside.</summary>
    public FrontDeskCallGuard Guard => _guard;
    private bool _started;
    private bool _stopped;

    public AccessControlHarness(int queueCapacity = 100)
    {
        var signingKey = Path.Combine(_folder, "signing.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(signingKey, key.ExportECPrivateKeyPem());
        }

        JournalPath = Path.Combine(_folder, "journal.jsonl");
        var security = Options.Create(new SecurityOptions
        {
            Journal = new JournalOptions
            {
                Path = JournalPath,
                ChainKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                SigningKey = signingKey,
                SubjectKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                QueueCapacity = queueCapacity,
                WhenFull = JournalFullPolicy.Refuse,
            },
        });
        Subjects = new SubjectHasher(security);
        Journal = new AccessJournal(security, NullLogger<AccessJournal>.Instance, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Clock, []);
        var registry = new ProviderRegistry(
            Options.Create(new GatewayOptions
            {
                Providers =
                [
                    new ProviderOptions { Id = "almaty-power", Domain = "utilities", Endpoint = "http://127.0.0.1:1", KatoCodes = ["195200000"] },
                    new ProviderOptions { Id = "zhetysu-power", Domain = "utilities", Endpoint = "http://127.0.0.1:1", KatoCodes = ["331000000"] },
                    new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "http://127.0.0.1:1" },
                ],
            }),
            Options.Create(new ResilienceOptions()));
        Journaling = new AccessJournaling(Journal, Subjects, Clock);
        _guard = new FrontDeskCallGuard(
            new AccessControl(new AccessPolicy(registry), Journaling),
            new ConsentGate(_services, new FrontDeskRequestValidator(Options.Create(new GatewayOptions()), Clock), new ProviderRouter(registry), NullLogger<ConsentGate>.Instance),
            Journaling,
            new UnexpectedFailures(NullLogger<UnexpectedFailures>.Instance),
            new GatewayMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

    public AccessJournal Journal { get; }

    public AccessJournaling Journaling { get; }

    public SubjectHasher Subjects { get; }

    public string JournalPath { get; }

    /// <summary>A client of the gateway's configuration.</summary>
    public static GatewayClient Client(string id, string[] permissions, string[] districts) =>
        new(new ClientOptions { Id = id, Permissions = permissions, Districts = districts }, new RateLimitOptions());

    /// <summary>
    /// A request classified as a call of <paramref name="method"/> (at its exact path unless <paramref name="canonical"/>
    /// is false), authenticated as <paramref name="client"/> when given, with the operator and purpose headers when given.
    /// </summary>
    public static DefaultHttpContext Request(
        FrontDeskMethod method, GatewayClient? client, string? operatorId = Operator, string? purpose = Purpose, bool canonical = true)
    {
        var http = new DefaultHttpContext();
        http.Features.Set(new FrontDeskCall(method, canonical, isJson: false) { Client = client });
        if (operatorId is not null)
        {
            http.Request.Headers[CallerIdentity.OperatorHeader] = operatorId;
        }

        if (purpose is not null)
        {
            http.Request.Headers[CallerIdentity.PurposeHeader] = purpose;
        }

        return http;
    }

    /// <summary>Runs a call through the front-desk call guard (access control, the journal, unexpected failures) to <paramref name="handler"/>.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(
        HttpContext http, TRequest request, Func<TRequest, Task<TResponse>> handler, CancellationToken cancellation = default)
        where TRequest : class
        where TResponse : class =>
        _guard.Run<Func<TRequest, Task<TResponse>>, TRequest, TResponse>(handler, request, new DeskServerCall(http, cancellation), static (h, r, _) => h(r));

    /// <summary>Runs a call expected to be refused, and returns the refusal.</summary>
    public async Task<RpcException> RefusalOfAsync<TRequest>(HttpContext http, TRequest request)
        where TRequest : class, IMessage
    {
        var handled = false;
        var refusal = await Assert.ThrowsAsync<RpcException>(() => CallAsync<TRequest, TRequest>(http, request, r =>
        {
            handled = true;
            return Task.FromResult(r);
        }));
        Assert.False(handled, "A refused call reached the handler.");
        return refusal;
    }

    /// <summary>Opens the journal (it writes only once started).</summary>
    public async Task StartJournalAsync()
    {
        await Journal.StartAsync(CancellationToken.None);
        _started = true;
    }

    /// <summary>
    /// Everything journaled so far: the access lines' entries, once the journal's writer has written them all (a marker
    /// record queued after them has reached the file) and stopped.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> JournalEntriesAsync()
    {
        if (!_started)
        {
            await StartJournalAsync();
        }

        // The writer starts in the background and takes records in order: once the marker is in the file, so is
        // everything queued before it. (Stopping at once could stop a writer that had not yet started.)
        Journal.Append(new AccessRecord(Clock.GetUtcNow(), "harness", "", "", Marker, "", "", [], "OK"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.ReadAllText(JournalPath).Contains($"\"method\":\"{Marker}\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "The journal's writer wrote nothing within 10 s.");
            await Task.Delay(5);
        }

        await StopAsync();
        return [.. File.ReadLines(JournalPath)
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.TryGetProperty("entry", out var entry) && !entry.TryGetProperty("event", out _))
            .Select(line => line.GetProperty("entry").Clone())
            .Where(entry => entry.GetProperty("method").GetString() != Marker)];
    }

    /// <summary>The ErrorInfo reason of a refusal.</summary>
    public static string ReasonOf(RpcException refusal) =>
        refusal.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason ?? "(no ErrorInfo)";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Journal.Dispose();
        await _services.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task StopAsync()
    {
        if (_started && !_stopped)
        {
            _stopped = true;
            await Journal.StopAsync(CancellationToken.None);
        }
    }
}
