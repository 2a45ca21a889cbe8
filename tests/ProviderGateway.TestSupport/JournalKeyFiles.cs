using System.Security.Cryptography;

namespace ProviderGateway.TestSupport;

/// <summary>
/// The files of a journal's keys, as tools/journal/new-journal-keys.sh makes them (readable by this user only):
/// a new P-256 checkpoint signing key, its public key for the verifier, and the chain key for the verifier.
/// </summary>
public sealed class JournalKeyFiles
{
    private JournalKeyFiles(string folder, string chainKey)
    {
        Directory.CreateDirectory(folder);
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        SigningKeyPath = Write(folder, "signing-key.pem", signing.ExportPkcs8PrivateKeyPem());
        PublicKeyPath = Write(folder, "signing-key.pub.pem", signing.ExportSubjectPublicKeyInfoPem());
        ChainKeyFile = Write(folder, "chain-key.base64", chainKey);
    }

    /// <summary>Gateway:Security:Journal:SigningKey: the PEM private key signing checkpoints.</summary>
    public string SigningKeyPath { get; }

    /// <summary>Its public key, for the verifier's --public-key.</summary>
    public string PublicKeyPath { get; }

    /// <summary>A file holding the chain key, for the verifier's --chain-key-file.</summary>
    public string ChainKeyFile { get; }

    /// <summary>Writes a new signing key and <paramref name="chainKey"/> into <paramref name="folder"/> (made if missing).</summary>
    public static JournalKeyFiles Create(string folder, string chainKey) => new(folder, chainKey);

    private static string Write(string folder, string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
