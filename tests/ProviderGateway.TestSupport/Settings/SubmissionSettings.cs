namespace ProviderGateway.TestSupport.Settings;

/// <summary>Durable submissions, <c>Gateway:Submissions:…</c> (README, durable submissions).</summary>
public sealed class SubmissionSettings : SettingsSection
{
    /// <summary><c>Store</c> Sqlite in <paramref name="path"/>, under the keys of <see cref="TestSecrets"/>.</summary>
    public SubmissionSettings Sqlite(string path)
    {
        Set("Store", "Sqlite");
        Set("SqlitePath", path);
        return TestKeys();
    }

    /// <summary><c>Store</c> Postgres at <paramref name="connectionString"/>, under the keys of <see cref="TestSecrets"/>.</summary>
    public SubmissionSettings Postgres(string connectionString)
    {
        Set("Store", "Postgres");
        Set("ConnectionString", connectionString);
        return TestKeys();
    }

    /// <summary><c>SealKey</c> and <c>CitizenKey</c> of <see cref="TestSecrets"/>.</summary>
    public SubmissionSettings TestKeys()
    {
        Set("SealKey", TestSecrets.SubmissionSealKey);
        Set("CitizenKey", TestSecrets.SubmissionCitizenKey);
        return this;
    }

    /// <summary><c>SealKey</c> <paramref name="key"/> (base64 of 32 bytes) under <c>SealKeyId</c> <paramref name="id"/>: a rotated key.</summary>
    public SubmissionSettings SealKey(string key, int id)
    {
        Set("SealKey", key);
        Set("SealKeyId", id);
        return this;
    }

    /// <summary><c>PreviousSealKeys:<paramref name="id"/></c>: an earlier seal key, to open what was sealed under it.</summary>
    public SubmissionSettings PreviousSealKey(int id, string key)
    {
        Set($"PreviousSealKeys:{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}", key);
        return this;
    }

    /// <summary><c>FirstRetryDelay</c> and <c>MaxRetryDelay</c>.</summary>
    public SubmissionSettings RetryDelays(TimeSpan first, TimeSpan max)
    {
        Set("FirstRetryDelay", first);
        Set("MaxRetryDelay", max);
        return this;
    }

    /// <summary><c>PollInterval</c>.</summary>
    public SubmissionSettings PollInterval(TimeSpan interval)
    {
        Set("PollInterval", interval);
        return this;
    }

    /// <summary><c>Lease</c>.</summary>
    public SubmissionSettings Lease(TimeSpan lease)
    {
        Set("Lease", lease);
        return this;
    }

    /// <summary><c>MaxConcurrentDeliveries</c>.</summary>
    public SubmissionSettings MaxConcurrentDeliveries(int deliveries)
    {
        Set("MaxConcurrentDeliveries", deliveries);
        return this;
    }

    /// <summary><c>DegradedAfter</c>.</summary>
    public SubmissionSettings DegradedAfter(TimeSpan age)
    {
        Set("DegradedAfter", age);
        return this;
    }
}
