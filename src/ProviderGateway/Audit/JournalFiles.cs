using System.Globalization;
using System.Text;

namespace ProviderGateway.Audit;

/// <summary>The journal's files: opened 0600, rotated and set aside under names the verifier knows.</summary>
public static class JournalFiles
{
    /// <summary>Owner read and write only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Opens <paramref name="path"/> for reading and appending, creating it (and its folder) 0600; an existing file
    /// readable by others is tightened to 0600 with a warning.
    /// </summary>
    public static FileStream OpenForAppend(string path, ILogger logger)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 1,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
            if (File.Exists(path) && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                AuditLog.ModeTightened(logger, path, Convert.ToString((int)File.GetUnixFileMode(path), 8));
                File.SetUnixFileMode(path, OwnerOnly);
            }
        }

        var file = new FileStream(path, options);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    /// <summary>
    /// The name a rotated file gets: <c>&lt;stem&gt;.&lt;yyyyMMddTHHmmssZ&gt;-s&lt;last seq, 12 digits&gt;&lt;ext&gt;</c> beside it, so that names
    /// sort as the chain runs. The "s" keeps the 12 digits from standing alone, where they would read as an IIN to the
    /// scans of logs that look for them.
    /// </summary>
    public static string RotatedName(string path, DateTimeOffset time, long lastSeq) =>
        Sibling(path, $"{time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-s{lastSeq.ToString("D12", CultureInfo.InvariantCulture)}");

    /// <summary>The name an old-format journal is set aside under: <c>&lt;stem&gt;.legacy-&lt;utc time&gt;&lt;ext&gt;</c>.</summary>
    public static string LegacyName(string path, DateTimeOffset time) =>
        Sibling(path, "legacy-" + time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));

    /// <summary>The newest rotated file of <paramref name="path"/>'s set (the highest last seq), or <c>null</c>.</summary>
    public static string? NewestRotated(string path) => Rotated(path) is { Count: > 0 } rotated ? rotated[^1].File : null;

    /// <summary>
    /// The rotated files of <paramref name="path"/>'s set (named by <see cref="RotatedName"/>), in the order the chain runs
    /// through them (by the last seq each holds), with that seq; the current file at <paramref name="path"/> follows them.
    /// </summary>
    public static IReadOnlyList<(string File, long LastSeq)> Rotated(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        var extension = System.IO.Path.GetExtension(path);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // <stem>.<16: yyyyMMddTHHmmssZ>-s<12 digits><ext>
        var rotated = new List<(string File, long LastSeq)>();
        foreach (var file in Directory.EnumerateFiles(folder, $"{stem}.*{extension}"))
        {
            var name = System.IO.Path.GetFileName(file);
            if (name.Length == stem.Length + 1 + 16 + 2 + 12 + extension.Length
                && name.AsSpan(stem.Length + 17, 2).SequenceEqual("-s")
                && long.TryParse(name.AsSpan(stem.Length + 19, 12), NumberStyles.None, CultureInfo.InvariantCulture, out var lastSeq))
            {
                rotated.Add((file, lastSeq));
            }
        }

        rotated.Sort((a, b) => a.LastSeq != b.LastSeq ? a.LastSeq.CompareTo(b.LastSeq) : string.CompareOrdinal(a.File, b.File));
        return rotated;
    }

    /// <summary>
    /// The instance id: <paramref name="configured"/>, or the machine name lower-cased with other characters than
    /// a-z, 0-9, '.' and '-' replaced by '-' (at most 64).
    /// </summary>
    public static string InstanceId(string? configured, string machineName)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var id = new StringBuilder();
        foreach (var c in machineName.ToLowerInvariant())
        {
            id.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' ? c : '-');
        }

        var text = id.ToString().TrimStart('.', '-');
        text = text.Length > 64 ? text[..64] : text;
        return text.Length == 0 ? "gateway" : text;
    }

    private static string Sibling(string path, string middle)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        return System.IO.Path.Combine(folder, $"{System.IO.Path.GetFileNameWithoutExtension(path)}.{middle}{System.IO.Path.GetExtension(path)}");
    }
}
