using System.Security.Cryptography;
using ProviderGateway.TestSupport;

namespace ProviderGateway.Chaos.Parts;

/// <summary>
/// The run's secrets, made fresh for every run in its own folder (files 0600): the cache's key secret and
/// encryption key and the page token key (shared by both gateways, which share Redis), the journal's subject,
/// chain and signing keys (the same for both instances, each writing its own chain), and the desk's API key.
/// </summary>
public sealed class ChaosSecrets
{
    private ChaosSecrets(string folder)
    {
        Folder = folder;
        var journalKeys = JournalKeyFiles.Create(folder, ChainKey);
        SigningKeyPath = journalKeys.SigningKeyPath;
        PublicKeyPath = journalKeys.PublicKeyPath;
        ChainKeyFile = journalKeys.ChainKeyFile;
    }

    /// <summary>The run's folder: keys, journals.</summary>
    public string Folder { get; }

    /// <summary>Gateway:Caching:KeySecret.</summary>
    public string CacheKeySecret { get; } = NewKey();

    /// <summary>Gateway:Caching:EncryptionKey.</summary>
    public string CacheEncryptionKey { get; } = NewKey();

    /// <summary>Gateway:Security:PageTokens:Key.</summary>
    public string PageTokenKey { get; } = NewKey();

    /// <summary>Gateway:Security:Journal:SubjectKey.</summary>
    public string SubjectKey { get; } = NewKey();

    /// <summary>Gateway:Security:Journal:ChainKey.</summary>
    public string ChainKey { get; } = NewKey();

    /// <summary>A file holding <see cref="ChainKey"/>, for the verifier's --chain-key-file.</summary>
    public string ChainKeyFile { get; }

    /// <summary>Gateway:Security:Journal:SigningKey: the PEM private key signing checkpoints.</summary>
    public string SigningKeyPath { get; }

    /// <summary>Its public key, for the verifier's --public-key.</summary>
    public string PublicKeyPath { get; }

    /// <summary>The desk client's API key.</summary>
    public string ApiKey { get; } = "chaos-desk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The desk client's id in the gateways' configuration.</summary>
    public string ClientId => "chaos-desk";

    /// <summary>New secrets in a new folder under the temporary folder.</summary>
    public static ChaosSecrets Create() =>
        new(Path.Combine(Path.GetTempPath(), "providergateway-chaos", $"run-{DateTime.UtcNow:yyyyMMddTHHmmss}-{Guid.NewGuid():N}"[..44]));

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
