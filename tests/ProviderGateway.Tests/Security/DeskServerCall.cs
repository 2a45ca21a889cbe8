using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace ProviderGateway.Tests.Security;

/// <summary>
/// The server call as grpc-dotnet hands it to an interceptor, without a server: the HTTP request behind it (read by
/// <c>GetHttpContext</c> from UserState), the call's cancellation and its deadline as grpc-dotnet computed it.
/// </summary>
internal sealed class DeskServerCall(HttpContext http, CancellationToken cancellation = default, DateTime? deadline = null) : ServerCallContext
{
    private readonly Dictionary<object, object> _state = new() { ["__HttpContext"] = http };

    protected override string MethodCore => "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview";

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:127.0.0.1:1";

    protected override DateTime DeadlineCore => deadline ?? DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => [];

    protected override CancellationToken CancellationTokenCore => cancellation;

    protected override Metadata ResponseTrailersCore => [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override IDictionary<object, object> UserStateCore => _state;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
