using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

/// <summary>A real demo provider server on a free loopback port, with a gRPC channel to it.</summary>
internal sealed class DemoProviderHarness : IAsyncDisposable
{
    /// <summary>A moment after every date in the seed, so that "today" is the same on every run.</summary>
    public static readonly DateTimeOffset SeedNow = new(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(5));

    private static readonly Lazy<DemoSeed> SharedSeed = new(() => DemoSeed.Load());

    private DemoProviderHarness(DemoProviderServer server, ManualTimeProvider time)
    {
        Server = server;
        Time = time;
        Channel = GrpcChannel.ForAddress(server.Address);
    }

    /// <summary>The seed file every test reads, loaded once.</summary>
    public static DemoSeed Seed => SharedSeed.Value;

    /// <summary>A valid IIN that no citizen of the seed has.</summary>
    public static string UnknownIin { get; } = Iin.Create(new DateOnly(1990, 1, 1), male: true, serial: 4242)!;

    public DemoProviderServer Server { get; }

    public GrpcChannel Channel { get; }

    public ManualTimeProvider Time { get; }

    /// <summary>Starts the provider with the seed's clock at <see cref="SeedNow"/>.</summary>
    public static async Task<DemoProviderHarness> StartAsync(string providerId, Action<DemoProviderServerOptions>? configure = null)
    {
        var time = new ManualTimeProvider(SeedNow);
        var options = new DemoProviderServerOptions { ProviderId = providerId, Seed = Seed, TimeProvider = time };
        configure?.Invoke(options);
        return new DemoProviderHarness(await DemoProviderServer.StartAsync(options), time);
    }

    /// <summary>A deadline that keeps a broken test from waiting forever.</summary>
    public static DateTime Deadline(double seconds = 10) => DateTime.UtcNow.AddSeconds(seconds);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Reads the <c>google.rpc</c> details of a failed call.</summary>
internal static class RpcDetails
{
    public static BadRequest BadRequest(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<BadRequest>() ?? throw new Xunit.Sdk.XunitException("The error carries no google.rpc.BadRequest.");

    public static ResourceInfo ResourceInfo(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<ResourceInfo>() ?? throw new Xunit.Sdk.XunitException("The error carries no google.rpc.ResourceInfo.");

    public static PreconditionFailure PreconditionFailure(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<PreconditionFailure>() ?? throw new Xunit.Sdk.XunitException("The error carries no google.rpc.PreconditionFailure.");

    public static ErrorInfo ErrorInfo(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<ErrorInfo>() ?? throw new Xunit.Sdk.XunitException("The error carries no google.rpc.ErrorInfo.");

    public static IEnumerable<string> ViolatedFields(RpcException e) => BadRequest(e).FieldViolations.Select(v => v.Field);
}

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();

    public void Advance(TimeSpan by) => _now += by;
}
