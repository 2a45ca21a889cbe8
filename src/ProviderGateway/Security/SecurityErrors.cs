using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Core;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>The statuses of access control. They never say whether any data exists.</summary>
public static class SecurityErrors
{
    /// <summary>UNAUTHENTICATED: no credentials, or credentials of no configured client.</summary>
    public static RpcException Unauthenticated(bool presentedKey) => UnauthenticatedStatus(presentedKey).ToRpcException();

    /// <summary>The status of <see cref="Unauthenticated"/>.</summary>
    public static Google.Rpc.Status UnauthenticatedStatus(bool presentedKey) => new()
    {
        Code = (int)StatusCode.Unauthenticated,
        Message = presentedKey
            ? "The API key in x-api-key is not valid."
            : "Authenticate with an API key (metadata x-api-key) or a client certificate.",
        Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ClientNotAuthenticated)) },
    };

    /// <summary>UNAUTHENTICATED: an API key and a client certificate that do not name the same client (or an invalid certificate).</summary>
    public static Google.Rpc.Status CredentialsDisagreeStatus() => new()
    {
        Code = (int)StatusCode.Unauthenticated,
        Message = "The API key and the client certificate do not authenticate the same client: present one client's credentials.",
        Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ClientNotAuthenticated)) },
    };

    /// <summary>PERMISSION_DENIED: the client may not call the method.</summary>
    public static RpcException MethodNotPermitted(string clientId, FrontDeskMethod method) =>
        RpcErrors.Build(
            StatusCode.PermissionDenied,
            $"Client '{clientId}' may not call {method.Name} ({method.Group}).",
            RpcErrors.ErrorInfo(ErrorReasons.MethodNotPermitted, new() { ["client_id"] = clientId, ["method"] = method.Name, ["permission_group"] = method.Group }));

    /// <summary>PERMISSION_DENIED: the district asked about (or the provider named) is outside the client's districts.</summary>
    public static RpcException DistrictNotPermitted(string clientId, IReadOnlyList<string> districts, string why) =>
        RpcErrors.Build(
            StatusCode.PermissionDenied,
            $"Client '{clientId}' may ask only about districts {string.Join(", ", districts.Select(d => d + "…"))}: {why}",
            RpcErrors.ErrorInfo(ErrorReasons.DistrictNotPermitted, new() { ["client_id"] = clientId, ["districts"] = string.Join(",", districts) }));

    /// <summary>RESOURCE_EXHAUSTED with RetryInfo: the client is over its rate limit.</summary>
    public static Google.Rpc.Status RateLimited(string clientId, TimeSpan retryAfter) => new()
    {
        Code = (int)StatusCode.ResourceExhausted,
        Message = $"Client '{clientId}' is over its rate limit; retry after {retryAfter.TotalSeconds:0.###} s.",
        Details =
        {
            Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.RateLimited, new() { ["client_id"] = clientId })),
            Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }),
        },
    };

    /// <summary>
    /// UNIMPLEMENTED: the request named a front-desk method in another spelling than its exact path (another case, a
    /// trailing or doubled slash, percent-encoding, a query). Refused whoever sends it, before any handler runs.
    /// </summary>
    public static Google.Rpc.Status NotCanonicalStatus(FrontDeskCall call)
    {
        var path = call.IsJson ? call.Method.JsonPath : call.Method.GrpcPath;
        return new()
        {
            Code = (int)StatusCode.Unimplemented,
            Message = $"No front-desk method at this path. Front-desk methods are served at their exact paths only (case-sensitive, no trailing or doubled slash, no percent-encoding), such as {path}.",
            Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.PathNotCanonical)) },
        };
    }

    /// <summary>PERMISSION_DENIED: a front-desk call that was not classified by the catalogue (never served).</summary>
    public static RpcException NotClassified() =>
        RpcErrors.Build(
            StatusCode.PermissionDenied,
            "This front-desk call could not be classified by the gateway's method catalogue and is refused.",
            RpcErrors.ErrorInfo(ErrorReasons.MethodNotPermitted));

    /// <summary>UNAVAILABLE: the journal's queue is full and the policy is to refuse rather than not record.</summary>
    public static RpcException JournalFull() =>
        RpcErrors.Build(
            StatusCode.Unavailable,
            "The access journal is behind; personal-data calls are refused until it catches up. Retry shortly.",
            RpcErrors.ErrorInfo(ErrorReasons.AccessJournalFull),
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
}
