using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>Reads an access journal and runs tools/journal/verify-journal.py on it.</summary>
public static class JournalFile
{
    /// <summary>
    /// The entries of the journal's access records, in order (read after the gateway stopped, so all are written):
    /// checkpoint lines, gateway events (entries with <c>event</c>) and torn lines are skipped, as readers of access records do.
    /// </summary>
    public static IReadOnlyList<JsonElement> Entries(string path) =>
        [.. File.ReadAllLines(path)
            .Select(Parse)
            .Where(line => line is { } l && l.TryGetProperty("entry", out var entry) && !entry.TryGetProperty("event", out _))
            .Select(line => line!.Value.GetProperty("entry").Clone())];

    // A line torn by a crash is no JSON: skipped like the verifier's "torn line".
    private static JsonElement? Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The journal's subject for an IIN under the tests' subject key.</summary>
    public static string SubjectOf(string identifier) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(TestSecrets.SubjectKey), Encoding.UTF8.GetBytes(identifier)));

    /// <summary>
    /// Runs the verifier with the tests' chain key and public key (so signatures are checked) and
    /// <paramref name="arguments"/>; returns its exit code and what it printed.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> VerifyAsync(string path, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(
            new ProcessCommand("python3", [Path.Combine(Repository.Root, "tools", "journal", "verify-journal.py"), path, "--chain-key-file", TestSecrets.ChainKeyFile, "--public-key", TestSecrets.PublicKeyPath, .. arguments]),
            TimeSpan.FromMinutes(2));
        return (result.ExitCode, (result.Output + result.Error).Trim());
    }
}
