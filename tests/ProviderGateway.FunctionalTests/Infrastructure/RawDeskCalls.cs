using System.Buffers.Binary;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>The four ways a desk can send a front-desk call.</summary>
public enum DeskProtocol
{
    /// <summary>Native gRPC over HTTP/2 (h2c) on the gRPC endpoint.</summary>
    Grpc,

    /// <summary>gRPC-Web, binary, over HTTP/1.1 on the HTTP endpoint.</summary>
    GrpcWeb,

    /// <summary>gRPC-Web, base64 text, over HTTP/1.1 on the HTTP endpoint.</summary>
    GrpcWebText,

    /// <summary>JSON (gRPC JSON transcoding) over HTTP/1.1 on the HTTP endpoint.</summary>
    Json,
}

/// <summary>What a desk got back: the gRPC status code and its ErrorInfo reason (empty when none).</summary>
public readonly record struct DeskOutcome(StatusCode Code, string Reason);

/// <summary>
/// Sends one front-desk call to an arbitrary request target, spelt exactly as given (no client library in between that
/// would build the path itself), over any of the four protocols, and reads the status the desk would see.
/// </summary>
public sealed class RawDeskCalls : IDisposable
{
    private readonly HttpClient _h2;
    private readonly HttpClient _h1;

    /// <summary>Clients of <paramref name="gateway"/>'s gRPC (HTTP/2) and HTTP/1.1 endpoints.</summary>
    public RawDeskCalls(TestGateway gateway)
    {
        _h2 = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.Application.Listeners.GrpcAddress };
        _h1 = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.HttpAddress };
    }

    /// <summary>
    /// A native gRPC call sent with <paramref name="headers"/> exactly (a <c>grpc-timeout</c> the client itself does not
    /// enforce, say): its outcome and its answer, when there is one.
    /// </summary>
    public async Task<(DeskOutcome Outcome, TResponse? Response)> CallAsync<TResponse>(string target, IMessage request, IReadOnlyDictionary<string, string> headers)
        where TResponse : class, IMessage<TResponse>, new()
    {
        using var message = GrpcRequest(DeskProtocol.Grpc, new Uri(_h2.BaseAddress!, target), request);
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _h2.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        var outcome = GrpcOutcome(Header(response.Headers, "grpc-status") is not null ? response.Headers : response.TrailingHeaders);
        if (outcome.Code != StatusCode.OK || body.Length < 5)
        {
            return (outcome, null);
        }

        var answer = new TResponse();
        answer.MergeFrom(body.AsSpan(5, BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1))));
        return (outcome, answer);
    }

    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/> (a path as the desk spells it).</summary>
    public async Task<DeskOutcome> SendAsync(DeskProtocol protocol, string target, IMessage request, HttpMethod jsonMethod, IReadOnlyDictionary<string, string> headers)
    {
        // As spelt: System.Uri would otherwise unescape percent-encoded letters (and so send the exact path).
        var client = protocol == DeskProtocol.Grpc ? _h2 : _h1;
        var uri = new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = protocol switch
        {
            DeskProtocol.Json => JsonRequest(uri, request, jsonMethod),
            _ => GrpcRequest(protocol, uri, request),
        };
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        return protocol switch
        {
            DeskProtocol.Json => JsonOutcome(response, body),
            DeskProtocol.Grpc => GrpcOutcome(Header(response.Headers, "grpc-status") is not null ? response.Headers : response.TrailingHeaders),
            DeskProtocol.GrpcWeb => GrpcWebOutcome(response, body),
            _ => GrpcWebOutcome(response, response.Content.Headers.ContentType?.MediaType?.StartsWith("application/grpc-web-text", StringComparison.Ordinal) == true ? DecodeText(body) : body),
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _h2.Dispose();
        _h1.Dispose();
    }

    private static HttpRequestMessage GrpcRequest(DeskProtocol protocol, Uri target, IMessage request)
    {
        var payload = request.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        var (contentType, body, version) = protocol switch
        {
            DeskProtocol.Grpc => ("application/grpc", frame, HttpVersion.Version20),
            DeskProtocol.GrpcWeb => ("application/grpc-web", frame, HttpVersion.Version11),
            _ => ("application/grpc-web-text", Encoding.ASCII.GetBytes(Convert.ToBase64String(frame)), HttpVersion.Version11),
        };
        var message = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (protocol == DeskProtocol.Grpc)
        {
            message.Headers.TryAddWithoutValidation("te", "trailers");
        }
        else
        {
            // As grpc-web clients do: the answer in the same mode.
            message.Headers.TryAddWithoutValidation("accept", contentType);
        }

        return message;
    }

    private static HttpRequestMessage JsonRequest(Uri target, IMessage request, HttpMethod method)
    {
        var message = new HttpRequestMessage(method, target) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (method != HttpMethod.Get)
        {
            message.Content = new StringContent(JsonFormatter.Default.Format(request), Encoding.UTF8, "application/json");
        }

        return message;
    }

    private static DeskOutcome JsonOutcome(HttpResponseMessage response, byte[] body)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return new(StatusCode.OK, "");
        }

        try
        {
            var status = BrowserDesk.Parser.Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(body));
            return new((StatusCode)status.Code, status.GetDetail<ErrorInfo>()?.Reason ?? "");
        }
        catch (InvalidProtocolBufferException)
        {
            // Not a JSON status at all (a bare 404 of a route that matched nothing, say): no gRPC answer.
            return new(StatusCode.Unknown, $"HTTP {(int)response.StatusCode}");
        }
    }

    private static DeskOutcome GrpcWebOutcome(HttpResponseMessage response, byte[] body)
    {
        if (Header(response.Headers, "grpc-status") is not null)
        {
            return GrpcOutcome(response.Headers);
        }

        // Frames: 1 flag byte, 4 length bytes, payload; the trailers frame has flag 0x80 and holds "name: value\r\n" lines.
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var offset = 0; offset + 5 <= body.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1));
            if ((body[offset] & 0x80) != 0)
            {
                foreach (var line in Encoding.ASCII.GetString(body, offset + 5, length).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    trailers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            offset += 5 + length;
        }

        return Outcome(trailers.GetValueOrDefault("grpc-status"), trailers.GetValueOrDefault("grpc-status-details-bin"));
    }

    private static DeskOutcome GrpcOutcome(HttpHeaders headers) =>
        Outcome(Header(headers, "grpc-status"), Header(headers, "grpc-status-details-bin"));

    private static DeskOutcome Outcome(string? code, string? details)
    {
        if (code is null)
        {
            return new(StatusCode.Unknown, "no grpc-status");
        }

        var reason = details is null ? "" : Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(Pad(details))).GetDetail<ErrorInfo>()?.Reason ?? "";
        return new((StatusCode)int.Parse(code, System.Globalization.CultureInfo.InvariantCulture), reason);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    // gRPC-Web text: each message the server wrote is base64 on its own (padded), one after the other.
    private static byte[] DecodeText(byte[] body)
    {
        var text = Encoding.ASCII.GetString(body);
        var bytes = new List<byte>();
        try
        {
            for (var i = 0; i + 4 <= text.Length; i += 4)
            {
                bytes.AddRange(Convert.FromBase64String(text.Substring(i, 4)));
            }
        }
        catch (FormatException)
        {
            return []; // not a gRPC-Web text answer: no status is read from it
        }

        return [.. bytes];
    }
}
