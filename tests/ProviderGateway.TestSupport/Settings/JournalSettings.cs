namespace ProviderGateway.TestSupport.Settings;

/// <summary>The access journal, <c>Gateway:Security:Journal:…</c> (README, Security: the access journal).</summary>
public sealed class JournalSettings : SettingsSection
{
    /// <summary><c>Path</c>.</summary>
    public JournalSettings Path(string path)
    {
        Set("Path", path);
        return this;
    }

    /// <summary><c>SubjectKey</c>, <c>ChainKey</c> and <c>SigningKey</c> (a PEM file).</summary>
    public JournalSettings Keys(string subjectKey, string chainKey, string signingKeyPath)
    {
        Set("SubjectKey", subjectKey);
        Set("ChainKey", chainKey);
        Set("SigningKey", signingKeyPath);
        return this;
    }

    /// <summary>The keys of <see cref="TestSecrets"/>.</summary>
    public JournalSettings TestKeys() => Keys(TestSecrets.SubjectKey, TestSecrets.ChainKey, TestSecrets.SigningKeyPath);

    /// <summary><c>InstanceId</c>.</summary>
    public JournalSettings InstanceId(string instanceId)
    {
        Set("InstanceId", instanceId);
        return this;
    }

    /// <summary><c>CheckpointInterval</c>.</summary>
    public JournalSettings CheckpointInterval(TimeSpan interval)
    {
        Set("CheckpointInterval", interval);
        return this;
    }

    /// <summary><c>CheckpointEveryLines</c>.</summary>
    public JournalSettings CheckpointEveryLines(int lines)
    {
        Set("CheckpointEveryLines", lines);
        return this;
    }

    /// <summary><c>RotateBytes</c>.</summary>
    public JournalSettings RotateBytes(long bytes)
    {
        Set("RotateBytes", bytes);
        return this;
    }
}
