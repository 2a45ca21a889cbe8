using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ProviderGateway.Providers;

/// <summary>
/// Tells a provider's refusal of the gateway's TLS client certificate from any other broken connection, so that the desk
/// hears an authentication failure (UNAVAILABLE, PROVIDER_AUTHENTICATION_FAILED) and the operator a credentials warning,
/// not "unavailable". A TLS server refusing a client certificate gives the client no status to read: with TLS 1.3 the
/// client's handshake completes and the server then closes the connection (with an alert .NET does not surface) before
/// HTTP/2 starts; with TLS 1.2 the handshake ends with the server's alert. So the gateway watches its own connections:
/// a call that failed because the server ended a connection whose TLS handshake had just completed, before HTTP/2's
/// preface (<see cref="TlsCompleted"/>), or whose handshake the server broke off after asking for a client certificate
/// (<see cref="SelectCertificate"/>), is read as that refusal: UNAUTHENTICATED, as a provider refusing an API key or a
/// token answers. A provider that is down (connection refused, reset later) stays UNAVAILABLE.
/// </summary>
internal sealed class RefusedClientCertificate(string providerId, X509Certificate2? clientCertificate, TimeProvider time) : Interceptor
{
    // A connection failing this soon after its handshake (or the server's request for a certificate) failed because of it.
    private static readonly TimeSpan HandshakeWindow = TimeSpan.FromSeconds(5);

    private long _askedAt = long.MinValue;
    private long _tlsCompletedAt = long.MinValue;

    /// <summary>
    /// The TLS client-certificate callback of the provider's connections: answers with the configured certificate, if any,
    /// and notes when the server asked for one (SslStream also calls it before the handshake, without the server's certificate).
    /// </summary>
    public X509Certificate? SelectCertificate(object sender, string targetHost, X509CertificateCollection localCertificates, X509Certificate? remoteCertificate, string[] acceptableIssuers)
    {
        if (remoteCertificate is not null)
        {
            Volatile.Write(ref _askedAt, time.GetTimestamp());
        }

        return clientCertificate;
    }

    /// <summary>The handler's plaintext filter: notes that a connection's TLS handshake completed, and passes its stream on unchanged.</summary>
    public ValueTask<Stream> TlsCompleted(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _tlsCompletedAt, time.GetTimestamp());
        return ValueTask.FromResult(context.PlaintextStream);
    }
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        var refusal = new StrongBox<Status?>();
        return new AsyncUnaryCall<TResponse>(
            RespondAsync(call, refusal),
            call.ResponseHeadersAsync,
            () => refusal.Value ?? call.GetStatus(),
            call.GetTrailers,
            call.Dispose);
    }

    private async Task<TResponse> RespondAsync<TResponse>(AsyncUnaryCall<TResponse> call, StrongBox<Status?> refusal)
    {
        try
        {
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException failure) when (IsRefusal(failure))
        {
            refusal.Value = new Status(
                StatusCode.Unauthenticated,
                clientCertificate is null
                    ? $"Provider '{providerId}' asked for a client certificate and closed the connection: none is configured (ClientCertificate)."
                    : $"Provider '{providerId}' closed the connection after asking for a client certificate: it refused the configured one (ClientCertificate).",
                failure.Status.DebugException);
            throw new RpcException(refusal.Value.Value);
        }
    }

    // A call whose connection failed right after a TLS handshake: the server ended it before HTTP/2's preface (TLS 1.3), or
    // broke the handshake off with an alert after asking for a client certificate (TLS 1.2).
    private bool IsRefusal(RpcException failure)
    {
        if (failure.StatusCode is not (StatusCode.Internal or StatusCode.Unavailable) || failure.Status.DebugException is not HttpRequestException connecting)
        {
            return false;
        }

        for (Exception? e = connecting; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return Recent(ref _askedAt);
            }
        }

        return Recent(ref _tlsCompletedAt)
            && connecting.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded or HttpRequestError.Unknown
            && connecting.InnerException is null or HttpIOException;
    }

    private bool Recent(ref long timestamp)
    {
        var at = Volatile.Read(ref timestamp);
        return at != long.MinValue && time.GetElapsedTime(at) <= HandshakeWindow;
    }
}
