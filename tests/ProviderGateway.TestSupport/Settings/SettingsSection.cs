using System.Globalization;

namespace ProviderGateway.TestSupport.Settings;

/// <summary>
/// One section of the gateway's configuration (a client, a provider, caching…): its keys relative to the section,
/// set by the typed methods of the derived class, where each key is spelt once. Lists become <c>Key:0</c>, <c>Key:1</c>…
/// </summary>
public abstract class SettingsSection
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IReadOnlyList<string>> _lists = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Sets <paramref name="key"/> (relative to the section) to <paramref name="value"/>.</summary>
    protected internal void Set(string key, string? value) => _values[key] = value;

    /// <summary>Sets a time span, in the constant ("c") format the configuration binder reads.</summary>
    protected internal void Set(string key, TimeSpan value) => Set(key, value.ToString("c", CultureInfo.InvariantCulture));

    /// <summary>Sets a number.</summary>
    protected internal void Set(string key, long value) => Set(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sets a fraction.</summary>
    protected internal void Set(string key, double value) => Set(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sets a flag (<c>true</c>/<c>false</c>).</summary>
    protected internal void Set(string key, bool value) => Set(key, value ? "true" : "false");

    /// <summary>Sets a list (replacing one set before), as <c>key:0</c>, <c>key:1</c>…</summary>
    protected internal void SetList(string key, IEnumerable<string> values) => _lists[key] = [.. values];

    /// <summary>Takes every value <paramref name="other"/> set, over this section's.</summary>
    internal void Overlay(SettingsSection other)
    {
        foreach (var (key, value) in other._values)
        {
            _values[key] = value;
        }

        foreach (var (key, values) in other._lists)
        {
            _lists[key] = values;
        }
    }

    /// <summary>Writes the section's keys under <paramref name="prefix"/> (for example <c>Gateway:Security:Clients:1</c>).</summary>
    internal void WriteTo(IDictionary<string, string?> target, string prefix)
    {
        foreach (var (key, value) in _values)
        {
            target[$"{prefix}:{key}"] = value;
        }

        foreach (var (key, values) in _lists)
        {
            for (var i = 0; i < values.Count; i++)
            {
                target[$"{prefix}:{key}:{i.ToString(CultureInfo.InvariantCulture)}"] = values[i];
            }
        }
    }
}
