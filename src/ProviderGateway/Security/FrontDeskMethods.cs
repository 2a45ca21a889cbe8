using System.Collections.Frozen;
using System.Collections.Immutable;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Security;

/// <summary>One method of the front-desk service, as permissions and the journal see it.</summary>
/// <param name="Name">The method's name, for example <c>GetCitizenOverview</c>.</param>
/// <param name="Group">Its permission group: a domain (<c>utilities</c> …), <c>overview</c> or <c>directory</c>.</param>
/// <param name="PersonalData">True when it reads or writes a citizen's data: operator and purpose required, journaled.</param>
public sealed record FrontDeskMethod(string Name, string Group, bool PersonalData);

/// <summary>The catalogue of front-desk methods, read from the service's descriptor: every method is classified.</summary>
public static class FrontDeskMethods
{
    /// <summary>The permission groups a client can be given.</summary>
    public static readonly ImmutableArray<string> Groups = ["overview", "utilities", "land_registry", "social_services", "directory"];

    /// <summary>The HTTP path of the front-desk service: every method's path starts with it and a '/'.</summary>
    public static readonly string ServicePath = $"/{FrontDeskService.Descriptor.FullName}";

    private static readonly string ServiceName = FrontDeskService.Descriptor.FullName;

    private static readonly FrozenDictionary<string, FrontDeskMethod> ByPath = FrontDeskService.Descriptor.Methods
        .ToFrozenDictionary(m => $"{ServicePath}/{m.Name}", Classify, StringComparer.Ordinal);

    private static readonly FrozenSet<string> Names = ByPath.Values.Select(m => m.Name).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every front-desk method.</summary>
    public static IEnumerable<FrontDeskMethod> All => ByPath.Values;

    /// <summary>
    /// Whether a request calls the front-desk service, whichever way it came: by its gRPC path (native gRPC and
    /// gRPC-Web, the hot path: one string comparison), or routed to an endpoint of one of its methods (the JSON routes
    /// of JSON transcoding, whose paths are the methods' HTTP routes such as <c>/v1/citizens:overview</c>).
    /// </summary>
    public static bool IsCall(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ServicePath, StringComparison.Ordinal)
        || (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc
            && string.Equals(grpc.Method.ServiceName, ServiceName, StringComparison.Ordinal));

    /// <summary>The front-desk method of a gRPC method path (<c>/package.Service/Method</c>); <c>null</c> for other services.</summary>
    public static FrontDeskMethod? Find(string path) => ByPath.GetValueOrDefault(path);

    /// <summary>The front-desk method a request calls (by gRPC path or JSON route), for metrics; <c>unknown</c> when none.</summary>
    public static string NameOf(HttpContext context) =>
        Find(context.Request.Path.Value ?? "")?.Name
        ?? context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.Name
        ?? "unknown";

    /// <summary>Whether <paramref name="permission"/> names a method, a group or everything (<c>*</c>).</summary>
    public static bool IsPermission(string permission) => permission == "*" || Groups.Contains(permission) || Names.Contains(permission);

    private static FrontDeskMethod Classify(MethodDescriptor method)
    {
        var name = method.Name;
        var group =
            name == nameof(FrontDeskService.FrontDeskServiceBase.GetCitizenOverview) ? "overview"
            : name == nameof(FrontDeskService.FrontDeskServiceBase.ListProviders) ? "directory"
            : name.Contains("Utility", StringComparison.Ordinal) || name.Contains("MeterReading", StringComparison.Ordinal) ? "utilities"
            : name.Contains("Parcel", StringComparison.Ordinal) || name.Contains("CertificateOrder", StringComparison.Ordinal) ? "land_registry"
            : name.Contains("Benefit", StringComparison.Ordinal) ? "social_services"
            : throw new InvalidOperationException($"Front-desk method {name} has no permission group: add it to {nameof(FrontDeskMethods)}.");
        return new FrontDeskMethod(name, group, PersonalData: group != "directory");
    }
}
