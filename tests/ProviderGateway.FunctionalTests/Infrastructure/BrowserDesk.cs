using System.Net;
using System.Net.Http;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>What a browser desk sends the gateway's HTTP/1.1 endpoint: JSON calls of the HTTP routes, or gRPC-Web.</summary>
public static class BrowserDesk
{
    /// <summary>
    /// Parses the gateway's JSON with Google.Protobuf (the protobuf JSON mapping), the details' <c>google.rpc</c> types
    /// known. Strict: a field the contract does not have fails the test.
    /// </summary>
    public static JsonParser Parser { get; } = new(JsonParser.Settings.Default.WithTypeRegistry(TypeRegistry.FromFiles(ErrorDetailsReflection.Descriptor)));

    /// <summary>An HTTP/1.1 client of the gateway's HTTP endpoint.</summary>
    /// <summary>A CORS preflight from <paramref name="origin"/> for a POST to <paramref name="path"/> with <paramref name="headers"/>.</summary>
    public static HttpRequestMessage Preflight(string path, string origin, string headers)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", headers);
        return preflight;
    }

    /// <summary>A response header's values, comma-joined; empty when absent.</summary>
    public static string Header(HttpResponseMessage response, string header) =>
        string.Join(",", response.Headers.TryGetValues(header, out var values) ? values : []);

    public static HttpClient Http(TestGateway gateway) => new()
    {
        BaseAddress = gateway.HttpAddress,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A JSON call: <paramref name="request"/> as the body of a POST to <paramref name="route"/>, with the given headers (each only when not <c>null</c>).</summary>
    public static HttpRequestMessage Post(
        string route, IMessage request, string? apiKey = TestSecrets.ApiKey, string? operatorId = TestSecrets.OperatorId, string? purpose = TestSecrets.Purpose) =>
        Post(route, JsonFormatter.Default.Format(request), apiKey, operatorId, purpose);

    /// <summary>A JSON call with <paramref name="json"/> as the body, well-formed or not.</summary>
    public static HttpRequestMessage Post(
        string route, string json, string? apiKey = TestSecrets.ApiKey, string? operatorId = TestSecrets.OperatorId, string? purpose = TestSecrets.Purpose)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        AddHeader(message, "x-api-key", apiKey);
        AddHeader(message, "x-operator-id", operatorId);
        AddHeader(message, "x-access-purpose", purpose);
        return message;
    }

    /// <summary>Sends a call; returns the HTTP status and the body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ExchangeAsync(this HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Sends a JSON call that must succeed; returns its answer parsed.</summary>
    public static async Task<TResponse> CallAsync<TResponse>(this HttpClient http, HttpRequestMessage request)
        where TResponse : IMessage<TResponse>, new()
    {
        var (status, body) = await http.ExchangeAsync(request);
        Assert.True(status == HttpStatusCode.OK, $"HTTP {(int)status}: {body}");
        return Parser.Parse<TResponse>(body);
    }

    /// <summary>Sends a JSON call that must fail with <paramref name="expected"/>; returns its <c>google.rpc.Status</c> body.</summary>
    public static async Task<Google.Rpc.Status> FailAsync(this HttpClient http, HttpRequestMessage request, HttpStatusCode expected)
    {
        var (status, body) = await http.ExchangeAsync(request);
        Assert.True(status == expected, $"expected HTTP {(int)expected}, got {(int)status}: {body}");
        return Parser.Parse<Google.Rpc.Status>(body);
    }

    /// <summary>A gRPC-Web channel to the gateway's HTTP/1.1 endpoint (binary or text mode).</summary>
    public static GrpcChannel GrpcWebChannel(TestGateway gateway, GrpcWebMode mode) => GrpcWebChannel(gateway.HttpAddress, mode);

    /// <summary>A gRPC-Web channel to an HTTP/1.1 address (a gateway's, or a load balancer's in front of several).</summary>
    public static GrpcChannel GrpcWebChannel(Uri httpAddress, GrpcWebMode mode) =>
        GrpcChannel.ForAddress(httpAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(mode, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            DisposeHttpClient = true,
        });

    private static void AddHeader(HttpRequestMessage message, string name, string? value)
    {
        if (value is not null)
        {
            message.Headers.Add(name, value);
        }
    }
}
