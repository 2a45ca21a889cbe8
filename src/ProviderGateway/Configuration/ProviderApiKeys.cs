using System.Text.RegularExpressions;

namespace ProviderGateway.Configuration;

/// <summary>The rules of a provider's API key (<see cref="ProviderApiKeyOptions"/>), and reading it.</summary>
public static partial class ProviderApiKeys
{
    // Metadata the gateway sets itself on provider calls, and headers HTTP/2 or gRPC own: never a key's header.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "x-client-id", "x-operator-id", "x-access-purpose", "traceparent", "tracestate", "baggage",
        "content-type", "content-length", "te", "user-agent", "host", "connection", "transfer-encoding",
    };

    /// <summary>Every problem of <paramref name="options"/>, named under <paramref name="section"/>; empty when none.</summary>
    public static IEnumerable<string> Problems(string section, ProviderApiKeyOptions options)
    {
        if (!HeaderPattern().IsMatch(options.Header) || options.Header.StartsWith("grpc-", StringComparison.Ordinal)
            || options.Header.EndsWith("-bin", StringComparison.Ordinal) || Reserved.Contains(options.Header))
        {
            yield return $"{section}:Header '{options.Header}' is not a header the gateway may send a key in: a lower-case name of a-z, 0-9, '-', '_' and '.', " +
                "not starting with 'grpc-', not ending in '-bin', and none of the gateway's own (x-client-id, x-operator-id, x-access-purpose, trace context) or HTTP's.";
        }

        if ((options.Key is null) == (options.KeyFile is null))
        {
            yield return $"{section}: set exactly one of {section}:Key and {section}:KeyFile.";
            yield break;
        }

        if (options.KeyFile is { } file && !File.Exists(file))
        {
            yield return $"{section}:KeyFile '{file}' does not exist.";
            yield break;
        }

        var key = Read(options);
        if (key.Length == 0 || key.Any(c => c is < ' ' or > '~') || key.Trim().Length != key.Length)
        {
            // Never the key itself in the message.
            yield return $"{section}: the key must be 1 or more printable ASCII characters (no control characters, no spaces at either end){(options.KeyFile is null ? "" : $", in {options.KeyFile}")}.";
        }
    }

    /// <summary>The key of validated <paramref name="options"/> (a key file's content without surrounding whitespace).</summary>
    public static string Read(ProviderApiKeyOptions options) =>
        options.KeyFile is { } file ? File.ReadAllText(file).Trim() : options.Key ?? "";

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]*$")]
    private static partial Regex HeaderPattern();
}
