using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Conformance.Running;

/// <summary>
/// The kit's credentials towards the provider, the same kinds the gateway sends (README, "Gateway:Providers:N"): a client
/// certificate for mutual TLS, and OAuth2 client credentials whose bearer token goes with every call. The token comes from
/// the gateway's own token client (<see cref="ClientCredentialsTokenClient"/>, the same source file), is kept for the run
/// and replaced when it is about to expire. API keys are plain headers (<c>--header</c>).
/// </summary>
internal sealed class KitCredentials : IDisposable
{
    private readonly ClientCredentialsTokenClient? _tokens;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    private KitCredentials(ClientCredentialsTokenClient? tokens, X509Certificate2? clientCertificate)
    {
        _tokens = tokens;
        ClientCertificate = clientCertificate;
    }

    /// <summary>The client certificate to present, or <c>null</c>.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The call credential carrying the bearer token, or <c>null</c> without OAuth2.</summary>
    public CallCredentials? Call => _tokens is null ? null : CallCredentials.FromInterceptor(async (context, metadata) =>
        metadata.Add("authorization", "Bearer " + (await TokenAsync(context.CancellationToken).ConfigureAwait(false)).Value));

    /// <summary>The credentials of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A file is missing or holds no usable certificate or key.</exception>
    public static KitCredentials From(KitOptions options)
    {
        var certificate = options.ClientCertificate is { } certificateFile
            ? options.ClientKey is { } keyFile ? X509Certificate2.CreateFromPemFile(certificateFile, keyFile) : X509Certificate2.CreateFromPemFile(certificateFile)
            : null;
        var tokens = options.OAuth2 is { } settings
            ? new ClientCredentialsTokenClient(new HttpMessageInvoker(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(5) }), settings, TimeProvider.System)
            : null;
        return new KitCredentials(tokens, certificate);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _tokens?.Dispose();
        ClientCertificate?.Dispose();
        _gate.Dispose();
    }

    private async Task<AccessToken> TokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is null || _token.ExpiresAt - DateTimeOffset.UtcNow < TimeSpan.FromSeconds(30))
            {
                try
                {
                    _token = await _tokens!.RequestAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TokenRequestFailedException e)
                {
                    // Every call of the run fails with the token endpoint's answer, as the gateway's would.
                    throw new RpcException(new Status(StatusCode.Unauthenticated, $"The kit got no access token: {e.Message}"));
                }
            }

            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }
}
