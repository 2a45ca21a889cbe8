using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>Checks <see cref="BrowserDesksOptions"/> at start-up, every problem at once with its key.</summary>
public sealed class BrowserDesksOptionsValidator : IValidateOptions<BrowserDesksOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BrowserDesksOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var key = $"{BrowserDesksOptions.SectionName}:AllowedOrigins:{i}";
            var origin = options.AllowedOrigins[i];
            if (OriginProblem(origin) is { } problem)
            {
                failures.Add($"{key} '{origin}' {problem}");
            }
            else if (!seen.Add(origin))
            {
                failures.Add($"{key} '{origin}' is listed twice.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What is wrong with an origin, or <c>null</c> when it is one: <c>http(s)://host[:port]</c>, nothing more.</summary>
    internal static string? OriginProblem(string? origin)
    {
        if (origin is "*")
        {
            return "is not allowed: list each desk application's origin (the gateway hands out personal data).";
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute http:// or https:// origin such as https://desk.akimat.example.kz.";
        }

        // A browser's Origin header is exactly scheme://host[:port]: anything more would never match.
        return uri.GetLeftPart(UriPartial.Authority) == origin && uri.UserInfo.Length == 0
            ? null
            : $"must be only scheme://host[:port] (no path, query, trailing '/' or user), as a browser sends it: {uri.GetLeftPart(UriPartial.Authority)}.";
    }
}
