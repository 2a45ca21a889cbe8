using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>Reads an access journal and runs tools/journal/verify-journal.py on it.</summary>
public static class JournalFile
{
    /// <summary>The entries of the journal's lines, in order (read after the gateway stopped, so all are written).</summary>
    public static IReadOnlyList<JsonElement> Entries(string path) =>
        [.. File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("entry").Clone())];

    /// <summary>The journal's subject for an IIN under the tests' subject key.</summary>
    public static string SubjectOf(string identifier) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(TestSecrets.SubjectKey), Encoding.UTF8.GetBytes(identifier)));

    /// <summary>Runs the verifier; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> VerifyAsync(string path)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "tools", "journal", "verify-journal.py"));
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output + await error).Trim());
    }
}
