using System.Buffers.Binary;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Google.Protobuf;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// CORS is answered on every desk endpoint, whatever their layout: an attempt to skip it on the gRPC endpoint (told
/// apart by its port) broke each case below, so each is kept as a test.
/// </summary>
public sealed class CorsEndpointTests
{
    private const string DeskOrigin = "https://desk.akimat.example.kz";
    private const string GrpcWebPath = "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview";
    private const string JsonRoute = "/v1/citizens:overview";

    /// <summary>
    /// The gRPC and HTTP endpoints on the same port of two different addresses (a common layout: both on 443, each on an
    /// address of its own). GatewayListeners.Check allows it (only the management port must be its own): browser desks
    /// keep CORS (a rule by local port alone would take it from them).
    /// </summary>
    [Fact]
    public async Task Browser_desks_keep_CORS_when_the_grpc_endpoint_has_the_same_port_on_another_address()
    {
        // Arrange: a port free on 127.0.0.1 and 127.0.0.2.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        var settings = new GatewaySettings()
            .WithEndpoints($"http://127.0.0.1:{port}", $"http://127.0.0.2:{port}", "http://127.0.0.1:0")
            .WithBrowserOrigins(DeskOrigin);
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        using var http = BrowserDesk.Http(gateway);

        // Act
        using var json = await http.SendAsync(Preflight(JsonRoute, "content-type,x-api-key,x-operator-id,x-access-purpose"));
        using var grpcWeb = await http.SendAsync(Preflight(GrpcWebPath, "content-type,x-grpc-web,x-api-key"));
        using var refused = new HttpRequestMessage(HttpMethod.Post, GrpcWebPath) { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        refused.Content.Headers.ContentType = new("application/grpc-web");
        refused.Headers.Add("Origin", DeskOrigin);
        using var answer = await http.SendAsync(refused);

        // Assert: what the same gateway answers with the two endpoints on different ports (BrowserDeskTests).
        Assert.Equal(new Uri($"http://127.0.0.2:{port}"), gateway.HttpAddress);
        Assert.All([json, grpcWeb, answer], r => Assert.Equal(DeskOrigin, Header(r, "Access-Control-Allow-Origin")));
        Assert.Contains("grpc-status-details-bin", Header(answer, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A gRPC call sent with method OPTIONS and a preflight's two headers on the gRPC endpoint. Routing lets a CORS
    /// preflight through to the POST-only gRPC endpoint, counting on the CORS middleware to answer it (204): without
    /// it on that endpoint the OPTIONS request would run the method itself (providers asked, personal data answered).
    /// </summary>
    [Fact]
    public async Task An_OPTIONS_request_shaped_as_a_preflight_does_not_run_a_method_on_the_grpc_endpoint()
    {
        // Arrange
        const string key = "options-probe-key-0123456789abcdef";
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithBrowserOrigins(DeskOrigin)
            .WithClient(c => c.Id("desk").ApiKey(key).Permissions("*").Districts("*").Unlimited()));
        using var h2c = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.Application.Listeners.GrpcAddress };
        var payload = new GetCitizenOverviewRequest { Iin = "791028302728", KatoCode = "195200000" }.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        using var options = new HttpRequestMessage(HttpMethod.Options, GrpcWebPath)
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new ByteArrayContent(frame),
        };
        options.Content.Headers.ContentType = new("application/grpc");
        options.Headers.TryAddWithoutValidation("te", "trailers");
        options.Headers.TryAddWithoutValidation("origin", "https://elsewhere.example.com");
        options.Headers.TryAddWithoutValidation("access-control-request-method", "POST");
        options.Headers.TryAddWithoutValidation("x-api-key", key);
        options.Headers.TryAddWithoutValidation("x-operator-id", "op-options-1");
        options.Headers.TryAddWithoutValidation("x-access-purpose", "citizen-enquiry");
        var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);

        // Act
        using var response = await h2c.SendAsync(options);
        var body = await response.Content.ReadAsByteArrayAsync();
        var providerCalls = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total) - before;

        // Assert: nothing asked, no answer (204 from the CORS middleware, no provider call).
        Assert.Equal(0, providerCalls);
        Assert.Empty(body);
    }

    /// <summary>
    /// A TLS gRPC endpoint is reachable by browsers (HTTP/2 over TLS), and it is the only endpoint where a desk can
    /// authenticate with a client certificate: a configured origin's gRPC-Web preflight there is answered.
    /// </summary>
    [Fact]
    public async Task A_TLS_grpc_endpoint_still_answers_a_configured_origins_preflight()
    {
        // Arrange
        using var certificates = TestCertificates.Create();
        var (serverPem, serverKey) = certificates.WriteServerPem();
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithTlsGrpcEndpoint(serverPem, serverKey)
            .WithBrowserOrigins(DeskOrigin));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) => server?.Issuer == certificates.Authority.Subject;
        using var h2 = new HttpClient(handler)
        {
            BaseAddress = gateway.Application.Listeners.GrpcAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Act
        using var request = Preflight(GrpcWebPath, "content-type,x-grpc-web,x-api-key");
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var preflight = await h2.SendAsync(request);

        // Assert
        Assert.Equal("https", gateway.Application.Listeners.GrpcAddress.Scheme);
        Assert.Equal(DeskOrigin, Header(preflight, "Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string path, string headers) => BrowserDesk.Preflight(path, DeskOrigin, headers);

    private static string Header(HttpResponseMessage response, string header) => BrowserDesk.Header(response, header);
}
