using System.Buffers.Text;

namespace ProviderGateway.Configuration;

/// <summary>The checks several sections share, written once: base64 secrets and PEM files.</summary>
internal static class ConfigurationChecks
{
    /// <summary>How many bytes a base64 value decodes to; <c>null</c> when it is empty or not base64.</summary>
    public static int? Base64Length(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(value.Length)];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) ? written : null;
    }

    /// <summary>True when <paramref name="value"/> is base64 of at least <paramref name="minimumBytes"/> bytes.</summary>
    public static bool IsKey(string? value, int minimumBytes = 32) => Base64Length(value) >= minimumBytes;

    /// <summary>
    /// Adds a failure naming <paramref name="key"/> when <paramref name="path"/> is set but is not a readable PEM file with a
    /// certificate (<paramref name="certificate"/>) or a private key.
    /// </summary>
    public static void CheckPemFile(List<string> failures, string key, string? path, bool certificate)
    {
        if (path is null)
        {
            return;
        }

        if (!File.Exists(path))
        {
            failures.Add($"{key} '{path}' does not exist (a PEM file is expected).");
            return;
        }

        var pem = File.ReadAllText(path);
        var holds = certificate
            ? pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            : pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        if (!holds)
        {
            failures.Add($"{key} '{path}' is not a PEM file with a {(certificate ? "certificate" : "private key")}.");
        }
    }
}
