using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProviderGateway.Contracts.Utilities.V1;
using StackExchange.Redis;

// The floor of a hop on this stack: UtilitiesService.GetAccountBalance served by a bare ASP.NET Core gRPC server with
// no authentication, access control, journal, metrics, validation or resilience, in one of two ways:
//   --mode forward   a typed forwarder: each call forwarded to the provider on one Grpc.Net.Client channel
//   --mode redis     each call answered from Redis with two GETs (the account's listing, then the balance), as the
//                    gateway's redis-hit scenario reads them (values written once at start from the provider's answers)
// It counts the calls it answered, OK and not, at GET /calls (HTTP/1.1 on --calls-listen): "<ok> <failed>".
//   dotnet ProviderGateway.Bench.Bare.dll --listen 127.0.0.1:6100 --calls-listen 127.0.0.1:6101 --destination http://127.0.0.1:6001 --mode forward [--redis 127.0.0.1:6379]
var listen = IPEndPoint.Parse(Argument("--listen"));
var callsListen = IPEndPoint.Parse(Argument("--calls-listen"));
var destination = new Uri(Argument("--destination"));
var mode = Argument("--mode");

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(listen, options => options.Protocols = HttpProtocols.Http2);
    kestrel.Listen(callsListen, options => options.Protocols = HttpProtocols.Http1);
});
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddRoutingCore();
builder.Services.AddGrpc();
var channel = GrpcChannel.ForAddress(destination);
builder.Services.AddSingleton(new UtilitiesService.UtilitiesServiceClient(channel));
builder.Services.AddSingleton(new RedisLevel(mode switch
{
    "forward" => null,
    "redis" => (await ConnectionMultiplexer.ConnectAsync(Argument("--redis"))).GetDatabase(),
    _ => throw new ArgumentException("--mode is forward or redis"),
}));

var app = builder.Build();
app.MapGrpcService<BareUtilities>();
app.MapGet("/calls", () => $"{BareUtilities.Ok} {BareUtilities.Failed}");
await app.StartAsync();
Console.WriteLine($"bare {mode} listening on {listen} -> {destination}");
await app.WaitForShutdownAsync();

string Argument(string name) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault()
    ?? throw new ArgumentException($"{name} is required: --listen HOST:PORT --destination http://HOST:PORT --calls-listen HOST:PORT --mode forward|redis [--redis HOST:PORT]");

/// <summary>The one method of the floor.</summary>
internal sealed class BareUtilities(UtilitiesService.UtilitiesServiceClient provider, RedisLevel level) : UtilitiesService.UtilitiesServiceBase
{
    private static long _ok;
    private static long _failed;

    public static long Ok => Interlocked.Read(ref _ok);

    public static long Failed => Interlocked.Read(ref _failed);

    public override async Task<GetAccountBalanceResponse> GetAccountBalance(GetAccountBalanceRequest request, ServerCallContext context)
    {
        try
        {
            var answer = await AnswerAsync(request, context);
            Interlocked.Increment(ref _ok);
            return answer;
        }
        catch
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
    }

    private async Task<GetAccountBalanceResponse> AnswerAsync(GetAccountBalanceRequest request, ServerCallContext context)
    {
        if (level.Database is not { } redis)
        {
            return await provider.GetAccountBalanceAsync(request, cancellationToken: context.CancellationToken);
        }

        // The listing, then the answer: two reads, as the gateway's district check and cache step make them.
        var listingKey = "bare:listing:" + request.Iin;
        var listing = await redis.StringGetAsync(listingKey);
        if (listing.IsNull)
        {
            var accounts = await provider.ListAccountsAsync(new ListAccountsRequest { Iin = request.Iin, PageSize = 100 });
            await redis.StringSetAsync(listingKey, accounts.ToByteArray());
            listing = await redis.StringGetAsync(listingKey);
        }

        if (!ListAccountsResponse.Parser.ParseFrom((byte[])listing!).Accounts.Any(a => a.AccountNumber == request.AccountNumber))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "not one of the citizen's accounts"));
        }

        var answerKey = "bare:balance:" + request.Iin + ":" + request.AccountNumber;
        var answer = await redis.StringGetAsync(answerKey);
        if (answer.IsNull)
        {
            await redis.StringSetAsync(answerKey, (await provider.GetAccountBalanceAsync(request)).ToByteArray());
            answer = await redis.StringGetAsync(answerKey);
        }

        return GetAccountBalanceResponse.Parser.ParseFrom((byte[])answer!);
    }
}

/// <summary>Redis in the redis mode; none in the forward mode.</summary>
internal sealed record RedisLevel(IDatabase? Database);
