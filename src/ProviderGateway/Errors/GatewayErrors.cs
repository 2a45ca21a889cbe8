using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.Errors;

/// <summary>The errors the gateway itself raises (those of providers go through <see cref="ProviderStatusMapping"/>).</summary>
public static class GatewayErrors
{
    /// <summary>NOT_FOUND for a <c>provider_id</c> that is not configured.</summary>
    public static RpcException UnknownProvider(string providerId) =>
        RpcErrors.Build(
            StatusCode.NotFound,
            $"No provider '{providerId}' is configured; ListProviders lists them.",
            new ResourceInfo { ResourceType = "frontdesk.v1.Provider", ResourceName = providerId, Description = "No such provider." },
            RpcErrors.ErrorInfo(ErrorReasons.UnknownProvider, new() { ["provider_id"] = providerId }));

    /// <summary>FAILED_PRECONDITION when no provider of a domain serves the district asked for.</summary>
    public static RpcException NoProviderForDistrict(string domain, string? katoCode) =>
        RpcErrors.Build(
            StatusCode.FailedPrecondition,
            string.IsNullOrEmpty(katoCode)
                ? $"No {domain} provider is configured."
                : $"No {domain} provider serves district {katoCode}.",
            new PreconditionFailure
            {
                Violations =
                {
                    new PreconditionFailure.Types.Violation
                    {
                        Type = "ROUTING",
                        Subject = $"{domain}/{katoCode}",
                        Description = "Configure a provider for this domain and district.",
                    },
                },
            },
            RpcErrors.ErrorInfo(ErrorReasons.NoProviderForDistrict, new() { ["domain"] = domain, ["kato_code"] = katoCode ?? "" }));

    /// <summary>INVALID_ARGUMENT when the desk named a provider of another domain.</summary>
    public static RpcException ProviderOfOtherDomain(string providerId, string actualDomain, string wantedDomain) =>
        RpcErrors.InvalidArgument(
            "provider_id",
            $"Provider '{providerId}' implements {actualDomain}, not {wantedDomain}.",
            "PROVIDER_OF_OTHER_DOMAIN");

    /// <summary>INVALID_ARGUMENT when several providers could serve a call and the desk named none.</summary>
    public static RpcException AmbiguousProvider(string domain, IEnumerable<string> candidates) =>
        RpcErrors.InvalidArgument(
            "provider_id",
            $"Several {domain} providers match; set provider_id to one of: {string.Join(", ", candidates)}.",
            "PROVIDER_ID_REQUIRED");

    /// <summary>INTERNAL for an unexpected failure of the gateway itself. Carries no exception detail.</summary>
    public static RpcException Internal(string traceId) =>
        RpcErrors.Build(
            StatusCode.Internal,
            $"The gateway failed unexpectedly; operators can find trace {traceId} in its log.",
            RpcErrors.ErrorInfo(ErrorReasons.InternalError, new() { ["trace_id"] = traceId }));
}
