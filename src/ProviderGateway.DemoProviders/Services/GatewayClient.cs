using Grpc.Core;

namespace ProviderGateway.DemoProviders.Services;

/// <summary>The gateway client a call is for: the <c>x-client-id</c> metadata the gateway sends with every call.</summary>
internal static class GatewayClient
{
    /// <summary>The metadata key.</summary>
    public const string Header = "x-client-id";

    /// <summary>The client of the call; empty when the call has none (a caller other than the gateway), which is one more client.</summary>
    public static string Of(ServerCallContext context) => context.RequestHeaders.GetValue(Header) ?? "";
}
