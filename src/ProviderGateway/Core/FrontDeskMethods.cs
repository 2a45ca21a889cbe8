using System.Collections.Frozen;
using System.Collections.Immutable;
using Google.Api;
using Google.Protobuf.Reflection;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Core;

/// <summary>One method of the front-desk service, as permissions and the journal see it.</summary>
/// <param name="Name">The method's name, for example <c>GetCitizenOverview</c>.</param>
/// <param name="Group">
/// Its permission group: a domain (<c>utilities</c> …), <c>overview</c>, <c>directory</c>, <c>submissions</c>,
/// <c>consent</c> or <c>access_history</c>; empty when the catalogue
/// cannot classify it, and then no client may call it.
/// </param>
/// <param name="PersonalData">True when it reads or writes a citizen's data: operator and purpose required, journaled.</param>
/// <param name="GrpcPath">Its gRPC path, exactly: <c>/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview</c>.</param>
/// <param name="JsonPath">The path of its JSON route (<c>google.api.http</c>), exactly; empty when it has none.</param>
public sealed record FrontDeskMethod(string Name, string Group, bool PersonalData, string GrpcPath, string JsonPath)
{
    /// <summary>True when the catalogue classified the method (it has a permission group).</summary>
    public bool IsClassified => Group.Length > 0;
}

/// <summary>
/// The catalogue of front-desk methods, read from the service's descriptor. Every method is classified here, once:
/// authentication, the rate limiter, access control, metrics and the journal all take the method of a call from this
/// catalogue through the endpoint ASP.NET Core dispatched (<see cref="FrontDeskCalls"/>), never from the request path.
/// A method added to the contract without a permission group here is refused to every client.
/// </summary>
public static class FrontDeskMethods
{
    /// <summary>The permission groups a client can be given.</summary>
    public static readonly ImmutableArray<string> Groups = ["overview", "utilities", "land_registry", "social_services", "directory", "submissions", "consent", "access_history"];

    /// <summary>The full name of the front-desk service.</summary>
    public static readonly string ServiceName = FrontDeskService.Descriptor.FullName;

    private static readonly FrozenDictionary<string, FrontDeskMethod> ByName = FrontDeskService.Descriptor.Methods
        .ToFrozenDictionary(m => m.Name, Classify, StringComparer.Ordinal);

    /// <summary>Every front-desk method.</summary>
    public static IEnumerable<FrontDeskMethod> All => ByName.Values;

    /// <summary>The front-desk method of this name (as the contract spells it), or <c>null</c>.</summary>
    public static FrontDeskMethod? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="permission"/> names a method, a group or everything (<c>*</c>).</summary>
    public static bool IsPermission(string permission) =>
        permission == "*" || Groups.Contains(permission) || (ByName.TryGetValue(permission, out var method) && method.IsClassified);

    private static FrontDeskMethod Classify(MethodDescriptor method)
    {
        var name = method.Name;
        var group =
            name is nameof(FrontDeskService.FrontDeskServiceBase.GetCitizenOverview) or nameof(FrontDeskService.FrontDeskServiceBase.StreamCitizenOverview) ? "overview"
            : name == nameof(FrontDeskService.FrontDeskServiceBase.ListProviders) ? "directory"
            : name is nameof(FrontDeskService.FrontDeskServiceBase.RequestConsent) or nameof(FrontDeskService.FrontDeskServiceBase.ConfirmConsent) ? "consent"
            : name == nameof(FrontDeskService.FrontDeskServiceBase.ListDataAccesses) ? "access_history"
            : name.EndsWith("Submission", StringComparison.Ordinal) || name.EndsWith("Submissions", StringComparison.Ordinal) ? "submissions"
            : name.Contains("Utility", StringComparison.Ordinal) || name.Contains("MeterReading", StringComparison.Ordinal) ? "utilities"
            : name.Contains("Parcel", StringComparison.Ordinal) || name.Contains("CertificateOrder", StringComparison.Ordinal) ? "land_registry"
            : name.Contains("Benefit", StringComparison.Ordinal) ? "social_services"
            : "";
        var http = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
        var jsonPath = http?.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => http.Get,
            HttpRule.PatternOneofCase.Post => http.Post,
            HttpRule.PatternOneofCase.Put => http.Put,
            HttpRule.PatternOneofCase.Patch => http.Patch,
            HttpRule.PatternOneofCase.Delete => http.Delete,
            _ => "",
        };
        // Unclassified methods are treated as personal data: refused, and the refusal journaled.
        return new FrontDeskMethod(name, group, PersonalData: group != "directory", $"/{method.Service.FullName}/{name}", jsonPath);
    }
}
