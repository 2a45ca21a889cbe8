namespace ProviderGateway.Configuration;

/// <summary>
/// Front-desk applications running in a browser, which call the gateway's HTTP/1.1 endpoint with JSON or gRPC-Web:
/// section <c>Gateway:BrowserDesks</c>. Validated at start-up.
/// </summary>
public sealed class BrowserDesksOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway:BrowserDesks";

    /// <summary>
    /// The origins (<c>scheme://host[:port]</c>, for example <c>https://desk.akimat.example.kz</c>) whose pages may call
    /// the gateway from a browser (CORS). Defaults to none: a page of any other origin cannot read an answer, nor send
    /// the API key header. Not <c>*</c>: the gateway hands out personal data.
    /// </summary>
    public IList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Whether the gateway serves the front-desk console (src/ProviderGateway.Desk) at <c>/desk/</c> on its desk-facing
    /// endpoints. Defaults to true; false when the console is deployed as static files elsewhere (its origin then goes in
    /// <see cref="AllowedOrigins"/>) or not used.
    /// </summary>
    public bool Console { get; init; } = true;
}
