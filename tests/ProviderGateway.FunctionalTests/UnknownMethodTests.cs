using System.Net;
using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// A gRPC call to a method the gateway does not serve (an unknown method of a served service, an unknown service) is
/// answered UNIMPLEMENTED with ErrorInfo METHOD_NOT_FOUND in every gRPC protocol, whoever sends it, reaching no provider;
/// the gateway's own services keep answering, and a plain HTTP request to an unknown path stays a 404.
/// </summary>
public sealed class UnknownMethodTests
{
    private const string DeskKey = "unknown-method-desk-key-0123456789abcdef";

    public static TheoryData<string> UnknownTargets => new()
    {
        "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenSecrets",
        "/providergateway.utilities.v1.UtilitiesService/GetAccountBalance",
        "/no.such.v1.Service/Method",
        "/grpc.health.v1.Health/Delete",
    };

    [Theory]
    [MemberData(nameof(UnknownTargets))]
    public async Task A_grpc_call_to_an_unknown_method_is_unimplemented_with_details_in_every_grpc_protocol(string target)
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithClient(c => c.Id("desk").ApiKey(DeskKey).Permissions("*").Districts("*").Unlimited()));
        using var calls = new RawDeskCalls(gateway);
        var before = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total);
        var outcomes = new List<(DeskProtocol Protocol, DeskOutcome Outcome)>();

        // Act: with a valid key, and with none.
        foreach (var protocol in new[] { DeskProtocol.Grpc, DeskProtocol.GrpcWeb, DeskProtocol.GrpcWebText })
        {
            foreach (var headers in new[] { new Dictionary<string, string> { ["x-api-key"] = DeskKey, ["x-operator-id"] = "op-unknown-1", ["x-access-purpose"] = "citizen-enquiry" }, [] })
            {
                outcomes.Add((protocol, await calls.SendAsync(protocol, target, new GetCitizenOverviewRequest { Iin = "791028302728" }, HttpMethod.Post, headers)));
            }
        }

        var providerCalls = gateway.EmbeddedProviders.Servers.Sum(s => s.Calls.Total) - before;
        var answer = await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = "791028302728" });

        // Assert
        Assert.All(outcomes, o => Assert.Equal(new DeskOutcome(StatusCode.Unimplemented, ErrorReasons.MethodNotFound), o.Outcome));
        Assert.Equal(0, providerCalls);
        Assert.True(answer.Complete);
    }

    /// <summary>A gRPC call to the path of a GET-only page (which routing answers with its 405 endpoint) is UNIMPLEMENTED too, not a bare HTTP 405.</summary>
    [Theory]
    [InlineData(DeskProtocol.Grpc, "/openapi/v1.json")]
    [InlineData(DeskProtocol.GrpcWeb, "/openapi/v1.json")]
    [InlineData(DeskProtocol.GrpcWebText, "/openapi/v1.json")]
    [InlineData(DeskProtocol.Grpc, "/")]
    public async Task A_grpc_call_to_the_path_of_a_GET_only_page_is_unimplemented_with_details(DeskProtocol protocol, string target)
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync();
        using var calls = new RawDeskCalls(gateway);

        // Act
        var outcome = await calls.SendAsync(protocol, target, new GetCitizenOverviewRequest { Iin = "791028302728" }, HttpMethod.Post, new Dictionary<string, string>());

        // Assert
        Assert.Equal(new DeskOutcome(StatusCode.Unimplemented, ErrorReasons.MethodNotFound), outcome);
    }

    [Fact]
    public async Task A_grpc_client_reads_the_status_of_an_unknown_method_and_the_served_ones_still_answer()
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync();
        var unknown = new Method<GetCitizenOverviewRequest, GetCitizenOverviewResponse>(
            MethodType.Unary, "providergateway.frontdesk.v1.FrontDeskService", "GetCitizenSecrets", Marshallers.Create(m => m.ToByteArray(), GetCitizenOverviewRequest.Parser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), GetCitizenOverviewResponse.Parser.ParseFrom));

        // Act
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.Channel.CreateCallInvoker()
            .AsyncUnaryCall(unknown, null, new CallOptions(), new GetCitizenOverviewRequest { Iin = "791028302728" }).ResponseAsync);
        var health = await new Grpc.Health.V1.Health.HealthClient(gateway.Channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        // Assert
        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
        Assert.Equal(ErrorReasons.MethodNotFound, refused.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task A_plain_http_request_to_an_unknown_path_is_not_found()
    {
        // Arrange
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress };

        // Act
        using var response = await http.GetAsync("/no/such/page");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("grpc-status"));
    }
}
