using System.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FrontDesk;
using ProviderGateway.Tests.Security;

namespace ProviderGateway.Tests.FrontDesk;

public sealed class FrontDeskCallGuardTests : IAsyncDisposable
{
    private readonly AccessControlHarness _harness = new();

    public static TheoryData<string> Methods() =>
        [.. typeof(FrontDeskService.FrontDeskServiceBase).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.IsVirtual).Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Every_front_desk_method_runs_inside_the_guard_and_refuses_a_call_access_control_did_not_let_through(string name)
    {
        // No dependency but the guard: a method whose work ran before access control would fail on a null, not refuse.
        var service = new FrontDeskGrpcService(null!, null!, null!, null!, null!, null!, null!, null!, null!, null!, _harness.Guard);
        var method = typeof(FrontDeskGrpcService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)!;
        var request = Activator.CreateInstance(method.GetParameters()[0].ParameterType);

        // A call no route classified as a front-desk call (FrontDeskCalls): refused, whatever the method.
        var context = new DeskServerCall(new DefaultHttpContext(), CancellationToken.None);
        // A server-streaming method also takes its response stream: nothing may be written to it (null would fail).
        object?[] arguments = method.GetParameters().Length == 3 ? [request, null, context] : [request, context];
        var call = (Task)method.Invoke(service, arguments)!;
        var refusal = await Assert.ThrowsAsync<RpcException>(() => call);

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal(ErrorReasons.MethodNotPermitted, AccessControlHarness.ReasonOf(refusal));
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}
