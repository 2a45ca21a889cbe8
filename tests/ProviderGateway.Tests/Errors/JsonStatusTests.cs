using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
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
    public void Front_desk_calls_are_classified_by_the_endpoint_dispatched_and_only_the_exact_path_is_canonical()
    {
        var overview = FrontDeskMethods.Find("GetCitizenOverview")!;
        var grpcEndpoint = new object[] { new FrontDeskEndpoint(overview, IsJson: false) };
        var jsonEndpoint = new object[] { new FrontDeskEndpoint(overview, IsJson: true), new GrpcJsonTranscodingMetadata(FrontDeskService.Descriptor.FindMethodByName("GetCitizenOverview"), new Google.Api.HttpRule()) };
        var providers = new object[] { new FrontDeskEndpoint(FrontDeskMethods.Find("ListProviders")!, IsJson: true) };

        var native = FrontDeskCalls.Classify(Request("/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview", grpcEndpoint))!;
        var lowerCase = FrontDeskCalls.Classify(Request("/providergateway.frontdesk.v1.frontdeskservice/getcitizenoverview", grpcEndpoint))!;
        var trailingSlash = FrontDeskCalls.Classify(Request("/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview/", grpcEndpoint))!;
        var encoded = FrontDeskCalls.Classify(Request("/providergateway.frontdesk.v1.FrontDeskService/GetCitizen%4Fverview", grpcEndpoint))!;
        var grpcQuery = FrontDeskCalls.Classify(Request("/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview?x=1", grpcEndpoint))!;
        var json = FrontDeskCalls.Classify(Request("/v1/citizens:overview", jsonEndpoint))!;
        var jsonQuery = FrontDeskCalls.Classify(Request("/v1/providers?pageSize=2", providers))!;
        var unrouted = FrontDeskCalls.Classify(Request("//providergateway.frontdesk.v1.FrontDeskService//GetCitizenOverview"))!;
        var health = FrontDeskCalls.Classify(Request("/grpc.health.v1.Health/Check"));
        var document = FrontDeskCalls.Classify(Request("/openapi/v1.json"));

        Assert.All([native, lowerCase, trailingSlash, encoded, grpcQuery, json, unrouted], c => Assert.Equal("GetCitizenOverview", c.Method.Name));
        Assert.True(native.Canonical);
        Assert.True(json.Canonical);
        Assert.True(jsonQuery.Canonical);
        Assert.All([lowerCase, trailingSlash, encoded, grpcQuery, unrouted], c => Assert.False(c.Canonical));
        Assert.True(json.IsJson);
        Assert.False(native.IsJson);
        Assert.Null(health);
        Assert.Null(document);
        Assert.True(JsonStatus.IsJsonCall(Request("/v1/citizens:overview", jsonEndpoint)));
    }

    private static DefaultHttpContext Request(string target, params object[] metadata)
    {
        var context = new DefaultHttpContext();
        var query = target.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = Uri.UnescapeDataString(query < 0 ? target : target[..query]);
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = target;
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(metadata), target));
        return context;
    }
}
