namespace ProviderGateway.TestSupport.Settings;

/// <summary>A desk client, <c>Gateway:Security:Clients:N:…</c> (README, Security: clients).</summary>
public sealed class ClientSettings : SettingsSection
{
    /// <summary><c>Id</c>: the client's id (journal, metrics, logs).</summary>
    public ClientSettings Id(string id)
    {
        Set("Id", id);
        return this;
    }

    /// <summary><c>ApiKeySha256</c>: the SHA-256 of each API key the client may present (given here in clear, hashed).</summary>
    public ClientSettings ApiKey(params string[] apiKeys)
    {
        SetList("ApiKeySha256", apiKeys.Select(TestSecrets.Sha256));
        return this;
    }

    /// <summary><c>ApiKeySha256</c>, hashes given as they are (an upper-case or malformed one, say).</summary>
    public ClientSettings ApiKeySha256(params string[] hashes)
    {
        SetList("ApiKeySha256", hashes);
        return this;
    }

    /// <summary><c>CertificateSha256</c>: the SHA-256 thumbprints of the client certificates it may present.</summary>
    public ClientSettings CertificateSha256(params string[] thumbprints)
    {
        SetList("CertificateSha256", thumbprints);
        return this;
    }

    /// <summary><c>Permissions</c>: <c>*</c>, domains, <c>overview</c>, <c>directory</c>, method names.</summary>
    public ClientSettings Permissions(params string[] permissions)
    {
        SetList("Permissions", permissions);
        return this;
    }

    /// <summary><c>Districts</c>: <c>*</c> or KATO code prefixes.</summary>
    public ClientSettings Districts(params string[] districts)
    {
        SetList("Districts", districts);
        return this;
    }

    /// <summary><c>RateLimit:CallsPerSecond</c> and <c>RateLimit:Burst</c>.</summary>
    public ClientSettings RateLimit(int callsPerSecond, int burst)
    {
        Set("RateLimit:CallsPerSecond", callsPerSecond);
        Set("RateLimit:Burst", burst);
        return this;
    }

    /// <summary><c>RequireConsent</c>: the groups or methods whose calls need the citizen's consent.</summary>
    public ClientSettings RequireConsent(params string[] entries)
    {
        SetList("RequireConsent", entries);
        return this;
    }

    /// <summary><c>DisplayName</c>: the office as access histories name it.</summary>
    public ClientSettings DisplayName(string name)
    {
        Set("DisplayName", name);
        return this;
    }

    /// <summary><c>DataProtectionOfficer</c>: reads any access history without consent, hidden clients included.</summary>
    public ClientSettings DataProtectionOfficer()
    {
        Set("DataProtectionOfficer", "true");
        return this;
    }

    /// <summary><c>HiddenFromSubject</c> until <paramref name="until"/> (<c>HiddenFromSubjectUntil</c>).</summary>
    public ClientSettings HiddenFromSubject(DateOnly until)
    {
        Set("HiddenFromSubject", "true");
        Set("HiddenFromSubjectUntil", until.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A rate limit no test reaches (a million calls a second).</summary>
    public ClientSettings Unlimited() => RateLimit(1_000_000, 1_000_000);

    /// <summary>The tests' desk: <see cref="TestSecrets.ApiKey"/>, every permission, every district, no practical rate limit.</summary>
    public ClientSettings TestDesk() => Id(TestSecrets.ClientId).ApiKey(TestSecrets.ApiKey).Permissions("*").Districts("*").Unlimited();
}
