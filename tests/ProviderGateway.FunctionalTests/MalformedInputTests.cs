using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// A corpus of generated malformed requests sent over raw HTTP/2 to a live gateway: random bytes, truncated
/// protobuf, wrong wire types, huge strings, control characters, mixed scripts, broken gRPC framing. No crash, no
/// UNKNOWN or INTERNAL, every error with google.rpc details, memory stable, and well-formed calls in between
/// still answered.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class MalformedInputTests(ITestOutputHelper output)
{
    private const int Seed = 20261128;
    private const int Count = 10_000;

    private static readonly string[] Strings =
    [
        "791028302728", "791028302729", "", " ", "7910283027280", "79102830272", "ⅦⅨ①⓪②⑧③⓪②⑦②⑧", "٧٩١٠٢٨٣٠٢٧٢٨",
        "195200000", "1952000000", "19520000", "03-047-155-123", "03-047-155-12345", "alatau-power", "ALATAU-POWER",
        "AP-1952-000001", "\0\0\0", "\u0001\u0002\u001b[31m", "\r\n\t", "Ахметов Nurlan 努尔兰 نورلان", "\u202eevil\u202c",
        "\ud83d\ude00\ud83d\ude00", "a'; DROP TABLE citizens; --", "../../etc/passwd", "%00%0a", "${jndi:ldap://127.0.0.1/x}",
        "00000000-0000-0000-0000-000000000000", "not-a-uuid", "e3b0c442-98fc-1c14-9afb-f4c8996fb924",
    ];

    [Fact]
    public async Task Ten_thousand_malformed_requests_crash_nothing_and_each_gets_a_precise_status()
    {
        var logs = new LogCounter();
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithMaxRequestBytes(65536), logs: logs);
        // Eight connections, batches taking turns: Kestrel resets the streams of a connection (ENHANCE_YOUR_CALM) when
        // more than twice its stream limit were answered before their request was read to the end within about a
        // second, its defence against floods of refused requests. One connection at full speed would trip it.
        var connections = Enumerable.Range(0, 8).Select(_ => new HttpClient { BaseAddress = gateway.Application.Listeners.GrpcAddress }).ToArray();
        var random = new Random(Seed);
        var methods = FrontDeskService.Descriptor.Methods.ToArray();
        var wellFormed = new GetCitizenOverviewRequest { Iin = "791028302728" };
        var corpus = Enumerable.Range(0, Count).Select(_ => Generate(random, methods[random.Next(methods.Length)])).ToList();

        // Warm-up (JIT, pools) before the memory baseline.
        foreach (var (chunk, turn) in corpus.Take(500).Chunk(50).Select((c, i) => (c, i)))
        {
            await Task.WhenAll(chunk.Select(c => SendAsync(connections[turn % connections.Length], c.Method, c.Body)));
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var statuses = new Dictionary<string, int>();
        var problems = new List<string>();
        var index = 0;
        foreach (var (chunk, turn) in corpus.Chunk(50).Select((c, i) => (c, i)))
        {
            var results = await Task.WhenAll(chunk.Select(c => SendAsync(connections[turn % connections.Length], c.Method, c.Body)));
            foreach (var (result, (method, body, kind)) in results.Zip(chunk))
            {
                var key = $"{result.Status}";
                statuses[key] = statuses.GetValueOrDefault(key) + 1;
                if (result.Status is null or "2" or "13" || (result.Status != "0" && !result.HasDetails))
                {
                    problems.Add($"#{index} {kind} {method.Name} ({body.Length} bytes): grpc-status {result.Status ?? "none"}, HTTP {result.HttpStatus}, details {result.HasDetails}, {result.Message}");
                }

                index++;
            }

            // A well-formed call between every batch is answered as usual.
            var answer = await gateway.FrontDesk.GetCitizenOverviewAsync(wellFormed);
            Assert.True(answer.Complete);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Array.ForEach(connections, c => c.Dispose());
        output.WriteLine($"seed {Seed}; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}; managed memory {before >> 10} KB -> {after >> 10} KB");
        Assert.True(problems.Count == 0, $"{problems.Count} problems, first: {string.Join("\n", problems.Take(10))}");
        Assert.True(after < before + (24 << 20), $"managed memory grew from {before >> 10} KB to {after >> 10} KB");
        Assert.True(statuses.Keys.Count(k => k != "0") >= 2, "the corpus should draw several kinds of refusal");
        // A client's garbage is the client's error: not one Error line (with its stack trace) for the server's log.
        Assert.True(logs[LogLevel.Error] + logs[LogLevel.Critical] == 0, $"{logs.Errors.Count} Error lines, first: {logs.Errors.FirstOrDefault()}");
    }

    private static (MethodDescriptor Method, byte[] Body, string Kind) Generate(Random random, MethodDescriptor method)
    {
        var valid = Sample(random, method.InputType).ToByteArray();
        switch (random.Next(8))
        {
            case 0:
                return (method, Frame(RandomBytes(random, random.Next(1, 200))), "random-bytes");
            case 1:
                return (method, Frame(valid.Length > 1 ? valid[..random.Next(1, valid.Length)] : [0x0a]), "truncated");
            case 2:
                return (method, Frame(WrongWireType(random, valid)), "wrong-wire-type");
            case 3:
                return (method, Frame(Sample(random, method.InputType, huge: true).ToByteArray()), "huge-strings");
            case 4:
                return (method, Frame(valid), "odd-strings"); // control characters, mixed scripts, near-valid identifiers
            case 5:
                return (method, BrokenFrame(random, valid), "broken-framing");
            case 6:
                return (method, Frame([.. valid, .. RandomBytes(random, random.Next(1, 50))]), "trailing-garbage");
            default:
                var bytes = (byte[])valid.Clone();
                for (var i = 0; i < Math.Max(1, bytes.Length / 10); i++)
                {
                    if (bytes.Length > 0)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }
                }

                return (method, Frame(bytes), "bit-flips");
        }
    }

    // A message of the method's request type with every field set: strings from the odd list (or huge), numbers
    // anywhere in their range, nested messages filled the same way, a level deep.
    private static IMessage Sample(Random random, MessageDescriptor type, bool huge = false, int depth = 0)
    {
        var message = type.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in type.Fields.InDeclarationOrder())
        {
            if (field.IsRepeated || field.IsMap || random.Next(4) == 0)
            {
                continue;
            }

            object? value = field.FieldType switch
            {
                FieldType.String => huge ? new string((char)random.Next(0x20, 0x3000), random.Next(1000, 20000)) : Strings[random.Next(Strings.Length)],
                FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => random.Next(4) switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => -1, _ => random.Next(-1000, 1000) },
                FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => random.Next(3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => (long)random.Next() },
                FieldType.UInt32 or FieldType.Fixed32 => (uint)random.Next(),
                FieldType.UInt64 or FieldType.Fixed64 => (ulong)random.NextInt64(),
                FieldType.Bool => random.Next(2) == 0,
                FieldType.Double => random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => random.NextDouble() * 1e12 },
                FieldType.Float => (float)random.NextDouble(),
                FieldType.Enum => field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number,
                FieldType.Message when depth < 2 => Sample(random, field.MessageType, huge, depth + 1),
                _ => null,
            };
            if (value is not null)
            {
                field.Accessor.SetValue(message, value);
            }
        }

        return message;
    }

    // Rewrites the first tag's wire type (a string as a varint, a number as length-delimited …) and adds a field of a
    // known number with a wrong wire type.
    private static byte[] WrongWireType(Random random, byte[] valid)
    {
        if (valid.Length == 0)
        {
            return [0x0d, 0x01, 0x02, 0x03, 0x04]; // field 1 as fixed32
        }

        var bytes = (byte[])valid.Clone();
        bytes[0] = (byte)((bytes[0] & ~0x07) | (random.Next(6) switch { 0 => 0, 1 => 1, 2 => 2, 3 => 3, 4 => 4, _ => 5 }));
        return [.. bytes, 0x11, .. RandomBytes(random, 8)]; // field 2 as fixed64
    }

    private static byte[] BrokenFrame(Random random, byte[] valid) => random.Next(4) switch
    {
        0 => [0x01, .. Length(valid.Length), .. valid],                  // compressed flag without grpc-encoding
        1 => [0x00, .. Length(valid.Length + 10), .. valid],             // declares more than it sends
        2 => [0x00, 0x00, 0x00],                                         // a cut header
        _ => [0x00, .. Length(int.MaxValue), .. valid],                  // a message larger than anything allowed
    };

    private static byte[] Frame(byte[] message) => [0x00, .. Length(message.Length), .. message];

    private static byte[] Length(int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        return bytes;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task<(string? Status, bool HasDetails, string Message, int HttpStatus)> SendAsync(HttpClient http, MethodDescriptor method, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{method.Service.FullName}/{method.Name}")
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("x-api-key", TestSecrets.ApiKey);
        request.Headers.TryAddWithoutValidation("x-operator-id", TestSecrets.OperatorId);
        request.Headers.TryAddWithoutValidation("x-access-purpose", TestSecrets.Purpose);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
        }
        catch (HttpRequestException e)
        {
            return (null, false, $"transport: {e.Message}", 0);
        }

        using var _ = response;
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
        return (Header("grpc-status"), Header("grpc-status-details-bin") is not null, Uri.UnescapeDataString(Header("grpc-message") ?? ""), (int)response.StatusCode);
    }
}
