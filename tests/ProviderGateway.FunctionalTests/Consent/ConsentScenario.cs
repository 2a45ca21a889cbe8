using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.DemoProviders.Consent;
using ProviderGateway.FunctionalTests.Infrastructure;
using Authority = ProviderGateway.Contracts.Consent.V1;
using Desk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.FunctionalTests.Consent;

/// <summary>
/// Every demo provider, a demo consent authority on its own clock (started at the real time, moved by hand to expire
/// consents), and a real gateway whose office clients need the citizen's consent for the overview and every domain read:
/// <see cref="Office"/> and <see cref="OtherOffice"/>, and the tests' desk, which needs none.
/// </summary>
public sealed class ConsentScenario : IAsyncDisposable
{
    public const string OfficeKey = "consent-office-key-0123456789";
    public const string OtherOfficeKey = "other-office-key-0123456789";
    public const string Purpose = "citizen-enquiry";
    public const string Operator = "operator-7";

    private readonly HttpClient _outbox = new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    private GrpcChannel? _authorityChannel;

    private ConsentScenario(DemoProviderSet providers, DemoConsentAuthority authority, FakeTimeProvider authorityTime)
    {
        Providers = providers;
        Authority = authority;
        AuthorityTime = authorityTime;
    }

    public DemoProviderSet Providers { get; }

    public DemoConsentAuthority Authority { get; }

    public FakeTimeProvider AuthorityTime { get; }

    public TestGateway Gateway { get; private set; } = null!;

    /// <summary>The consent authority's own client (as the citizen's portal would use it), not through the gateway.</summary>
    public ConsentService.ConsentServiceClient AuthorityClient => new(_authorityChannel ??= GrpcChannel.ForAddress(Authority.Address));

    public static async Task<ConsentScenario> StartAsync(Action<GatewaySettings>? configure = null)
    {
        var providers = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { Seed = DemoData.Seed });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var authority = await DemoConsentAuthority.StartAsync(new DemoConsentAuthorityOptions { Seed = DemoData.Seed, TimeProvider = time });
        var scenario = new ConsentScenario(providers, authority, time);
        var settings = new GatewaySettings()
            .WithClient(c => c.Id("consent-office").ApiKey(OfficeKey).Permissions("overview", "utilities", "land_registry", "social_services", "consent")
                .Districts("*").Unlimited().RequireConsent("overview", "utilities", "land_registry", "social_services"))
            .WithClient(c => c.Id("other-office").ApiKey(OtherOfficeKey).Permissions("overview", "utilities", "consent")
                .Districts("*").Unlimited().RequireConsent("overview", "utilities"));
        settings["Gateway:Consent:Authority"] = authority.Address.ToString();
        configure?.Invoke(settings);
        try
        {
            scenario.Gateway = await TestGateway.StartAsync(providers, settings);
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }

        return scenario;
    }

    /// <summary>The office's front desk: its key, operator and purpose, and the consent token when given.</summary>
    public FrontDeskService.FrontDeskServiceClient Office(string? token = null, string key = OfficeKey, string purpose = Purpose) =>
        new(Gateway.Channel.Intercept(metadata =>
        {
            var sent = new Metadata { { "x-api-key", key }, { "x-operator-id", Operator }, { "x-access-purpose", purpose } };
            foreach (var entry in metadata)
            {
                sent.Add(entry);
            }

            if (token is not null)
            {
                sent.Add("x-consent-token", token);
            }

            return sent;
        }));

    public FrontDeskService.FrontDeskServiceClient OtherOffice(string? token = null) => Office(token, OtherOfficeKey);

    /// <summary>The code the authority "sent" for <paramref name="requestId"/>, read from its outbox as a tester would.</summary>
    public async Task<string> OutboxCodeAsync(string requestId)
    {
        var answer = await _outbox.GetFromJsonAsync<JsonElement>(new Uri(Authority.Address, $"/demo/consent/outbox?request_id={Uri.EscapeDataString(requestId)}"));
        return answer.GetProperty("code").GetString()!;
    }

    /// <summary>A consent of <paramref name="iin"/> to the office (through the gateway: request, the code, confirm), for a day.</summary>
    public async Task<Desk.ConfirmConsentResponse> ConsentAsync(string iin, params ConsentScope[] scopes) =>
        await ConsentAsync(Office(), iin, TimeSpan.FromDays(1), scopes);

    public async Task<Desk.ConfirmConsentResponse> ConsentAsync(FrontDeskService.FrontDeskServiceClient desk, string iin, TimeSpan term, params ConsentScope[] scopes)
    {
        var request = new Desk.RequestConsentRequest { Iin = iin, Term = Duration.FromTimeSpan(term) };
        request.Scopes.AddRange(scopes);
        var requested = await desk.RequestConsentAsync(request);
        var code = await OutboxCodeAsync(requested.RequestId);
        return await desk.ConfirmConsentAsync(new Desk.ConfirmConsentRequest { RequestId = requested.RequestId, Code = code });
    }

    /// <summary>Every call any demo provider received.</summary>
    public long ProviderCalls => Providers.Servers.Sum(s => s.Calls.Total);

    public void ResetProviderCalls()
    {
        foreach (var server in Providers.Servers)
        {
            server.Calls.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        _authorityChannel?.Dispose();
        _outbox.Dispose();
        await Authority.DisposeAsync();
        await Providers.DisposeAsync();
    }
}
