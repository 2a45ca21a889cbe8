using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.AspNetCore.Components;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Validation;
using ProviderGateway.Desk.Localization;

namespace ProviderGateway.Desk.Session;

/// <summary>
/// The console's way to the gateway: the contracts' generated front-desk client over gRPC-Web on the origin that served
/// the console. Binary gRPC-Web, not text: the browser's HttpClient reads fetch responses as a stream (.NET 10's
/// default), so a streamed overview's messages reach the page as they come either way, and decoding text mode's base64
/// in WebAssembly delayed the last fast card by about 150 ms (DeskConsoleFaultTests: 330-390 ms against 180-195 ms).
/// Every call goes with the
/// office's key, the operator, the purpose, the console's language and, for a citizen who gave it, the consent token.
/// </summary>
public sealed class GatewayCalls : IDisposable
{
    /// <summary>How long the console waits for any one call (the gateway answers within its own deadline first).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly GrpcChannel _channel;
    private readonly DeskSession _session;
    private readonly Dictionary<string, string> _consentTokens = new(StringComparer.Ordinal);

    /// <summary>Makes the channel to the gateway that served the console.</summary>
    public GatewayCalls(NavigationManager navigation, DeskSession session)
    {
        _session = session;
        var origin = new Uri(new Uri(navigation.BaseUri).GetLeftPart(UriPartial.Authority));
        _channel = GrpcChannel.ForAddress(origin, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            MaxReceiveMessageSize = 4 * 1024 * 1024,
        });
        Desk = new FrontDeskService.FrontDeskServiceClient(_channel);
    }

    /// <summary>The front-desk service.</summary>
    public FrontDeskService.FrontDeskServiceClient Desk { get; }

    /// <summary>
    /// The call options of a call about <paramref name="iin"/> (or about no citizen): the desk's metadata, the consent
    /// token held for that citizen, a deadline and <paramref name="cancellation"/>.
    /// </summary>
    public CallOptions Options(string? iin = null, CancellationToken cancellation = default)
    {
        var headers = Headers(_session.ApiKey, _session.OperatorId, _session.Purpose);
        if (iin is not null && _consentTokens.TryGetValue(iin, out var token))
        {
            headers.Add("x-consent-token", token);
        }

        return new CallOptions(headers, DateTime.UtcNow + CallTimeout, cancellation);
    }

    /// <summary>
    /// Whether the gateway knows <paramref name="apiKey"/>: a directory call under it (the provider board's), answered or
    /// refused for want of the permission; <c>null</c> when so, else the gateway's problem (UNAUTHENTICATED for a
    /// wrong key, UNAVAILABLE when the gateway cannot be reached).
    /// </summary>
    public async Task<RpcException?> CheckKeyAsync(string apiKey, string operatorId, string purpose)
    {
        try
        {
            await Desk.ListProvidersAsync(new ListProvidersRequest { PageSize = 1 }, Headers(apiKey, operatorId, purpose), DateTime.UtcNow + CallTimeout);
            return null;
        }
        catch (RpcException failure) when (failure.StatusCode != StatusCode.PermissionDenied)
        {
            return failure;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static Metadata Headers(string apiKey, string operatorId, string purpose) => new()
    {
        { "x-api-key", apiKey },
        { CallerMetadata.OperatorHeader, operatorId },
        { CallerMetadata.PurposeHeader, purpose },
        { "accept-language", DeskLanguage.Current },
    };

    /// <summary>Holds the consent token a citizen confirmed, for this page's life only (never stored).</summary>
    public void HoldConsent(string iin, string token) => _consentTokens[iin] = token;

    /// <summary>Forgets every consent token (signing out).</summary>
    public void ForgetConsents() => _consentTokens.Clear();

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
