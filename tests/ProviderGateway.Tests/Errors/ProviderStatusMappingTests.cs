using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Errors;

namespace ProviderGateway.Tests.Errors;

public sealed class ProviderStatusMappingTests
{
    [Fact]
    public void Every_gRPC_code_but_OK_has_a_rule()
    {
        var codes = System.Enum.GetValues<StatusCode>().Where(c => c != StatusCode.OK);

        Assert.Equal(codes.Order(), ProviderStatusMapping.Table.Select(r => r.ProviderCode).Order());
    }

    [Fact]
    public void No_provider_failure_reaches_the_desk_as_UNKNOWN_or_INTERNAL()
    {
        Assert.All(ProviderStatusMapping.Table, rule =>
        {
            Assert.NotEqual(StatusCode.Unknown, rule.DeskCode);
            Assert.NotEqual(StatusCode.Internal, rule.DeskCode);
        });
    }

    [Fact]
    public void An_internal_provider_error_becomes_UNAVAILABLE_without_the_provider_message()
    {
        var failure = new RpcException(new Grpc.Core.Status(StatusCode.Internal, "NullReferenceException at Db.cs:42"));

        var status = ProviderStatusMapping.ToDeskStatus("water", failure, cancelledByCaller: false);

        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.DoesNotContain("Db.cs", status.Message, StringComparison.Ordinal);
        var info = Unpack<ErrorInfo>(status);
        Assert.Equal("PROVIDER_INTERNAL_ERROR", info.Reason);
        Assert.Equal("water", info.Metadata["provider_id"]);
        Assert.Equal("Internal", info.Metadata["provider_code"]);
    }

    [Theory]
    [InlineData(StatusCode.PermissionDenied, StatusCode.PermissionDenied, "PROVIDER_PERMISSION_DENIED")]
    [InlineData(StatusCode.Unauthenticated, StatusCode.Unavailable, "PROVIDER_AUTHENTICATION_FAILED")]
    public void A_provider_refusal_keeps_its_meaning_names_the_provider_and_hides_its_message(StatusCode providerCode, StatusCode deskCode, string reason)
    {
        var failure = new RpcException(new Grpc.Core.Status(providerCode, "user 791028302728 not in ACL table acl_v2"));

        var status = ProviderStatusMapping.ToDeskStatus("water", failure, cancelledByCaller: false);

        Assert.Equal((int)deskCode, status.Code);
        Assert.DoesNotContain("acl_v2", status.Message, StringComparison.Ordinal);
        var info = Unpack<ErrorInfo>(status);
        Assert.Equal(reason, info.Reason);
        Assert.Equal("water", info.Metadata["provider_id"]);
        Assert.True(ProviderStatusMapping.IsRefusal(status));
    }

    [Fact]
    public void Failures_and_answers_are_not_refusals()
    {
        var unavailable = ProviderStatusMapping.ToDeskStatus("water", new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "")), cancelledByCaller: false);
        var notFound = ProviderStatusMapping.ToDeskStatus("water", new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "")), cancelledByCaller: false);

        Assert.False(ProviderStatusMapping.IsRefusal(unavailable));
        Assert.False(ProviderStatusMapping.IsRefusal(notFound));
    }

    [Fact]
    public void A_provider_bad_request_passes_its_field_violations_on()
    {
        var failure = RpcErrors.InvalidArgument("account_number", "Too long.", "ACCOUNT_NUMBER_MALFORMED");

        var status = ProviderStatusMapping.ToDeskStatus("water", failure, cancelledByCaller: false);

        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Equal("account_number", Unpack<BadRequest>(status).FieldViolations[0].Field);
        var info = Unpack<ErrorInfo>(status);
        Assert.Equal("PROVIDER_REJECTED_REQUEST", info.Reason);
        Assert.Equal("INVALID_REQUEST", info.Metadata["provider_reason"]);
    }

    [Fact]
    public void A_provider_not_found_keeps_its_resource_info()
    {
        var failure = RpcErrors.NotFound("utilities.v1.Account", "AP-1", "No such account.");

        var status = ProviderStatusMapping.ToDeskStatus("power", failure, cancelledByCaller: false);

        Assert.Equal((int)StatusCode.NotFound, status.Code);
        Assert.Equal("AP-1", Unpack<ResourceInfo>(status).ResourceName);
    }

    [Fact]
    public void A_desk_cancellation_is_reported_as_CANCELLED()
    {
        var failure = new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "gone"));

        var status = ProviderStatusMapping.ToDeskStatus("power", failure, cancelledByCaller: true);

        Assert.Equal((int)StatusCode.Cancelled, status.Code);
        Assert.Equal("CANCELLED_BY_CALLER", Unpack<ErrorInfo>(status).Reason);
    }

    [Fact]
    public void Control_characters_and_overlong_provider_messages_are_cleaned()
    {
        var failure = new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "bad\r\nline" + new string('x', 1000)));

        var status = ProviderStatusMapping.ToDeskStatus("power", failure, cancelledByCaller: false);

        Assert.DoesNotContain('\n', status.Message);
        Assert.True(status.Message.Length < 400);
    }

    private static T Unpack<T>(Google.Rpc.Status status)
        where T : Google.Protobuf.IMessage<T>, new() =>
        status.Details.Single(d => d.Is(new T().Descriptor)).Unpack<T>();
}
