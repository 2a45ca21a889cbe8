using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Localization;
using ProviderGateway.Errors;
using ProviderGateway.Providers;

namespace ProviderGateway.Localization;

/// <summary>
/// The language of a desk's call: the one its <c>accept-language</c> metadata (HTTP header, the same for gRPC, gRPC-Web
/// and JSON) prefers among <c>kk</c>, <c>ru</c> and <c>en</c>, else <c>Gateway:DefaultLanguage</c>. The gateway's
/// messages for people (<c>google.rpc.LocalizedMessage</c>, field violations) and the providers' names are in it.
/// </summary>
public sealed class CallLanguages(IOptions<GatewayOptions> options, ProviderRegistry providers) : ICallLanguages
{
    private readonly string _default = options.Value.DefaultLanguage;

    /// <summary>The gateway's default language.</summary>
    public string Default => _default;

    /// <summary>The language a request with <paramref name="headers"/> asks for.</summary>
    public string Of(IHeaderDictionary headers) => Of(headers.AcceptLanguage);

    /// <summary>The language an <c>accept-language</c> value asks for (every value of the header, in order).</summary>
    public string Of(StringValues acceptLanguage) => acceptLanguage.Count switch
    {
        0 => _default,
        1 => ErrorMessages.Negotiate(acceptLanguage[0], _default),
        _ => ErrorMessages.Negotiate(string.Join(',', acceptLanguage.ToArray()), _default),
    };

    /// <inheritdoc />
    public StatusLocalization.Target TargetOf(HttpContext context) => TargetOf(Of(context.Request.Headers));

    /// <summary>Localizing into <paramref name="language"/>, with the providers' names in it.</summary>
    public StatusLocalization.Target TargetOf(string language) => new(language, id => providers.Find(id)?.NameIn(language));
}
