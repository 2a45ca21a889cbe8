using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Security;

/// <summary>
/// The offline revocation check of client certificates (<c>Gateway:Security:ClientCertificateRevocation</c> =
/// <c>Offline</c>): the configured CRL files, each verified against the client certificate authority, re-read when
/// they change. It fails closed: a certificate is accepted only when a current CRL of its issuer does not list it.
/// (<c>Online</c> is left to the chain engine of ASP.NET Core's certificate handler, <c>NoCheck</c> checks nothing.)
/// </summary>
public sealed partial class ClientCertificateRevocation
{
    /// <summary>How often, at most, the CRL files are checked for changes (their modification time and length).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly X509Certificate2? _authority;
    private readonly IReadOnlyList<string> _files;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientCertificateRevocation> _logger;
    private readonly Lock _refreshing = new();
    private ImmutableArray<LoadedFile> _loaded = [];
    private long _nextRefreshTicks;

    /// <summary>Reads the CRL files of the configuration (when the mode is Offline and an authority is configured).</summary>
    public ClientCertificateRevocation(IOptions<SecurityOptions> options, TimeProvider time, ILogger<ClientCertificateRevocation> logger)
    {
        var security = options.Value;
        Mode = security.ClientCertificateRevocation;
        _time = time;
        _logger = logger;
        _files = [.. security.ClientCertificateRevocationLists];
        if (security.ClientCaCertificate is { } authority && File.Exists(authority))
        {
            _authority = X509Certificate2.CreateFromPem(File.ReadAllText(authority));
        }

        if (Mode == ClientCertificateRevocationMode.Offline)
        {
            Refresh(_time.GetUtcNow());
        }
    }

    /// <summary>The configured mode.</summary>
    public ClientCertificateRevocationMode Mode { get; }

    /// <summary>
    /// Why an authenticated chain's leaf certificate must be refused under the Offline mode, or <c>null</c> when a current
    /// CRL of its issuer does not list it. Other modes answer <c>null</c>: their check, if any, is the chain engine's.
    /// </summary>
    public string? RefusalOf(X509Certificate2 certificate)
    {
        if (Mode != ClientCertificateRevocationMode.Offline)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (now.UtcTicks >= Volatile.Read(ref _nextRefreshTicks))
        {
            Refresh(now);
        }

        var issuer = certificate.IssuerName.RawData;
        var serial = certificate.SerialNumberBytes.Span;
        bool known = false, current = false;
        foreach (var file in _loaded)
        {
            if (file.List is not { } list || !list.Issuer.RawData.AsSpan().SequenceEqual(issuer))
            {
                continue;
            }

            if (list.IsRevoked(serial))
            {
                return "the certificate is revoked";
            }

            known = true;
            current |= list.NextUpdate > now;
        }

        // A stale CRL proves nothing: the certificate may have been revoked since.
        return !known ? "no usable CRL of the certificate's issuer is configured"
            : !current ? "the CRL of the certificate's issuer is past its nextUpdate"
            : null;
    }

    /// <summary>Logs at start-up what revocation checking does, with a warning for a stale CRL or for NoCheck.</summary>
    public void ReportAtStart()
    {
        if (_authority is null)
        {
            return;
        }

        if (Mode == ClientCertificateRevocationMode.NoCheck)
        {
            Log.NoCheck(_logger);
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var file in _loaded.Where(f => f.List is { } list && list.NextUpdate <= now))
        {
            Log.Stale(_logger, file.Path, file.List!.NextUpdate);
        }
    }

    private void Refresh(DateTimeOffset now)
    {
        if (_authority is null || !_refreshing.TryEnter())
        {
            return;
        }

        try
        {
            var previous = _loaded;
            var next = ImmutableArray.CreateBuilder<LoadedFile>(_files.Count);
            foreach (var path in _files)
            {
                var info = new FileInfo(path);
                var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
                var known = previous.FirstOrDefault(f => f.Path == path);
                next.Add(known is not null && known.Stamp == stamp ? known : Load(path, stamp, now));
            }

            _loaded = next.MoveToImmutable();
            Volatile.Write(ref _nextRefreshTicks, (now + RefreshInterval).UtcTicks);
        }
        finally
        {
            _refreshing.Exit();
        }
    }

    private LoadedFile Load(string path, (DateTime, long) stamp, DateTimeOffset now)
    {
        try
        {
            var list = CertificateRevocationList.Load(File.ReadAllBytes(path), _authority!);
            Log.Loaded(_logger, path, list.Count, list.NextUpdate);
            if (list.NextUpdate <= now)
            {
                Log.Stale(_logger, path, list.NextUpdate);
            }

            return new LoadedFile(path, stamp, list);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Fail closed: certificates of this issuer are refused until the file is fixed (unless another CRL covers them).
            Log.Unusable(_logger, path, ex.Message);
            return new LoadedFile(path, stamp, null);
        }
    }

    private sealed record LoadedFile(string Path, (DateTime WrittenUtc, long Length) Stamp, CertificateRevocationList? List);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Client certificate CRL {Path} read: {Count} revoked, next update due {NextUpdate:O}")]
        public static partial void Loaded(ILogger logger, string path, int count, DateTimeOffset nextUpdate);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Client certificate CRL {Path} is past its nextUpdate ({NextUpdate:O}): client certificates of its issuer are refused until a current CRL replaces it")]
        public static partial void Stale(ILogger logger, string path, DateTimeOffset nextUpdate);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Client certificate CRL {Path} cannot be used ({Problem}): client certificates of its issuer are refused until it is fixed")]
        public static partial void Unusable(ILogger logger, string path, string problem);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "SECURITY WARNING: client certificates are not checked for revocation (Gateway:Security:ClientCertificateRevocation is NoCheck): a revoked certificate is accepted until removed from the configuration")]
        public static partial void NoCheck(ILogger logger);
    }
}
