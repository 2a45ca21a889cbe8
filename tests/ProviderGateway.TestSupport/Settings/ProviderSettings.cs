namespace ProviderGateway.TestSupport.Settings;

/// <summary>A provider, <c>Gateway:Providers:N:…</c> (README, Configuration).</summary>
public sealed class ProviderSettings : SettingsSection
{
    /// <summary><c>Id</c>.</summary>
    public ProviderSettings Id(string id)
    {
        Set("Id", id);
        return this;
    }

    /// <summary><c>Domain</c>: <c>utilities</c>, <c>land_registry</c> or <c>social_services</c>.</summary>
    public ProviderSettings Domain(string domain)
    {
        Set("Domain", domain);
        return this;
    }

    /// <summary><c>Endpoint</c>.</summary>
    public ProviderSettings Endpoint(Uri endpoint) => Endpoint(endpoint.ToString());

    /// <summary><c>Endpoint</c>, as written (to test a malformed one, say).</summary>
    public ProviderSettings Endpoint(string endpoint)
    {
        Set("Endpoint", endpoint);
        return this;
    }

    /// <summary><c>KatoCodes</c>: districts or regions served.</summary>
    public ProviderSettings KatoCodes(params IEnumerable<string> katoCodes)
    {
        SetList("KatoCodes", katoCodes);
        return this;
    }

    /// <summary><c>Deadline</c>.</summary>
    public ProviderSettings Deadline(TimeSpan deadline)
    {
        Set("Deadline", deadline);
        return this;
    }

    /// <summary><c>MaxConcurrentCalls</c>.</summary>
    public ProviderSettings MaxConcurrentCalls(int calls)
    {
        Set("MaxConcurrentCalls", calls);
        return this;
    }

    /// <summary><c>CachePerClient</c>.</summary>
    public ProviderSettings CachePerClient(bool perClient = true)
    {
        Set("CachePerClient", perClient);
        return this;
    }

    /// <summary><c>CaCertificate</c>: the PEM file of the CA that signed the provider's TLS certificate.</summary>
    public ProviderSettings CaCertificate(string pemFile)
    {
        Set("CaCertificate", pemFile);
        return this;
    }

    /// <summary><c>ClientCertificate</c> and <c>ClientKey</c>: PEM files shown to a provider requiring mutual TLS.</summary>
    public ProviderSettings ClientCertificate(string certificatePemFile, string keyPemFile)
    {
        Set("ClientCertificate", certificatePemFile);
        Set("ClientKey", keyPemFile);
        return this;
    }

    /// <summary><c>AllowInsecureTransport</c>.</summary>
    public ProviderSettings AllowInsecureTransport(bool allow = true)
    {
        Set("AllowInsecureTransport", allow);
        return this;
    }
}
