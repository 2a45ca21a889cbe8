using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// YARP as a plain gRPC forwarder (HTTP/2 cleartext in and out), configured in code:
//   dotnet ProviderGateway.Bench.Yarp.dll --listen 127.0.0.1:6100 --destination http://127.0.0.1:6001
var listen = IPEndPoint.Parse(Argument("--listen"));
var destination = Argument("--destination");

// An empty builder: no appsettings.json, no file watchers; logs only warnings.
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(listen, options => options.Protocols = HttpProtocols.Http2);
});
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddRoutingCore();
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "provider", Match = new RouteMatch { Path = "{**rest}" } }],
    [
        new ClusterConfig
        {
            ClusterId = "provider",
            Destinations = new Dictionary<string, DestinationConfig> { ["provider"] = new() { Address = destination } },
            HttpRequest = new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
        },
    ]);

var app = builder.Build();
app.MapReverseProxy();
await app.StartAsync();
Console.WriteLine($"yarp forwarder listening on {listen} -> {destination}");
await app.WaitForShutdownAsync();

string Argument(string name) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault()
    ?? throw new ArgumentException($"{name} is required: --listen HOST:PORT --destination http://HOST:PORT");
