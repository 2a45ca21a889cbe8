using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Errors;

public sealed class JsonStatusTests
{
    [Fact]
    public void Every_gRPC_code_maps_to_the_HTTP_status_JSON_transcoding_itself_uses()
    {
        // The package's own table (internal): a status the gateway writes and one JSON transcoding writes never differ.
        var transcoding = typeof(GrpcJsonTranscodingOptions).Assembly
            .GetType("Microsoft.AspNetCore.Grpc.JsonTranscoding.Internal.JsonRequestHelpers", throwOnError: true)!
            .GetMethod("MapStatusCodeToHttpStatus", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;

        Assert.All(System.Enum.GetValues<StatusCode>(), code => Assert.Equal((int)transcoding.Invoke(null, [code])!, JsonStatus.HttpStatusOf(code)));
        Assert.Equal(StatusCodes.Status401Unauthorized, JsonStatus.HttpStatusOf(StatusCode.Unauthenticated));
    }

    [Fact]
    public void A_status_is_written_as_compact_protobuf_JSON_whose_details_name_their_type()
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "Invalid iin: 'wrong' check digit.",
            Details = { Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "iin", Reason = "IIN_CHECK_DIGIT_MISMATCH" } } }) },
        };

        var json = JsonStatus.Format(status);

        Assert.StartsWith("{\"code\":3,\"message\":\"Invalid iin: 'wrong' check digit.\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",", json, StringComparison.Ordinal);
        Assert.Equal(status, new Google.Protobuf.JsonParser(Google.Protobuf.JsonParser.Settings.Default.WithTypeRegistry(JsonStatus.DetailTypes)).Parse<Google.Rpc.Status>(json));
    }

    [Fact]
    public void Front_desk_calls_are_recognised_by_gRPC_path_or_by_the_endpoint_of_a_front_desk_method()
    {
        var method = FrontDeskService.Descriptor.FindMethodByName("GetCitizenOverview");
        var grpcMethod = Unary(FrontDeskService.Descriptor.FullName, method.Name);
        var health = Unary("grpc.health.v1.Health", "Check");

        var native = Request("/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview");
        var json = Request("/v1/citizens:overview", new GrpcMethodMetadata(typeof(object), grpcMethod), new GrpcJsonTranscodingMetadata(method, new Google.Api.HttpRule()));
        var healthCheck = Request("/grpc.health.v1.Health/Check", new GrpcMethodMetadata(typeof(object), health));
        var document = Request("/openapi/v1.json");

        Assert.True(FrontDeskMethods.IsCall(native));
        Assert.True(FrontDeskMethods.IsCall(json));
        Assert.False(FrontDeskMethods.IsCall(healthCheck));
        Assert.False(FrontDeskMethods.IsCall(document));
        Assert.True(JsonStatus.IsJsonCall(json));
        Assert.False(JsonStatus.IsJsonCall(native));
    }

    private static Method<Empty, Empty> Unary(string service, string name) =>
        new(MethodType.Unary, service, name, Marshallers.Create<Empty>(_ => [], _ => new()), Marshallers.Create<Empty>(_ => [], _ => new()));

    private static DefaultHttpContext Request(string path, params object[] metadata)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(metadata), path));
        return context;
    }
}
