using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>
/// The keys and lifetime of the page tokens the gateway hands out (<c>Gateway:Security:PageTokens</c>): each token is
/// authenticated with HMAC-SHA256 under <see cref="Key"/> and bound to the client and the request it was made for.
/// </summary>
public sealed class PageTokenOptions
{
    /// <summary>
    /// Base64 key (at least 32 bytes) of the tokens' HMAC; the same on every instance. Required outside the embedded
    /// default (which makes a throw-away one). Generate one with <c>openssl rand -base64 32</c>.
    /// </summary>
    [Required(ErrorMessage = "{0} is required: page tokens are authenticated with it (base64, at least 32 bytes; generate one with: openssl rand -base64 32).")]
    public string? Key { get; init; }

    /// <summary>
    /// The key before the last rotation (base64, at least 32 bytes): tokens made with it are still accepted, so a
    /// rotation does not break the listings desks are paging through. Optional.
    /// </summary>
    public string? PreviousKey { get; init; }

    /// <summary>How long a token is accepted after it was issued. Defaults to 1 hour; 1 minute to 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);
}
