using System.Net.Security;
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
/// HTTP/2 starts; with TLS 1.2 the handshake ends with the server's alert. So the gateway watches each connection: the
/// server asked for a client certificate in its handshake (<see cref="SelectCertificate"/>), and then ended it before the
/// first byte of HTTP/2 (<see cref="TlsCompleted"/>). A call failing right after that is read as the refusal:
/// UNAUTHENTICATED, as a provider refusing an API key or a token answers. A connection closed after a handshake in which the
/// server asked for nothing (a TLS front whose backend is down) stays UNAVAILABLE.
/// </summary>
internal sealed class RefusedClientCertificate(string providerId, X509Certificate2? clientCertificate, TimeProvider time) : Interceptor
{
    // A call failing this soon after its connection was refused failed because of it.
    private static readonly TimeSpan RefusalWindow = TimeSpan.FromSeconds(5);

    // The TLS 1.2 alert ends the very handshake in which the server asked.
    private static readonly TimeSpan HandshakeWindow = TimeSpan.FromSeconds(1);

    // The connections (their TLS streams) whose server asked for a client certificate.
    private readonly ConditionalWeakTable<object, object> _asked = [];
    private long _askedAt = long.MinValue;
    private long _refusedAt = long.MinValue;

    // Whether a handshake with the provider has completed, and whether its server ever asked for a client certificate: a
    // provider seen not to ask (plain TLS, most providers) has its calls passed through unwrapped, costing nothing per call.
    private bool _handshakeSeen;
    private bool _serverAsks;

    /// <summary>
    /// The TLS client-certificate callback of the provider's connections: answers with the configured certificate, if any,
    /// and notes the connections whose server asked for one when none was chosen before the handshake (SslStream calls it
    /// first without the server's certificate, which is not the server asking; with a certificate chosen then, it is sent
    /// when asked without a second call, and <see cref="SslStream.LocalCertificate"/> tells).
    /// </summary>
    public X509Certificate? SelectCertificate(object sender, string targetHost, X509CertificateCollection localCertificates, X509Certificate? remoteCertificate, string[] acceptableIssuers)
    {
        if (remoteCertificate is not null)
        {
            Volatile.Write(ref _serverAsks, true);
            _asked.AddOrUpdate(sender, this);
            Volatile.Write(ref _askedAt, time.GetTimestamp());
        }

        return clientCertificate;
    }

    /// <summary>
    /// The handler's plaintext filter, once a connection's TLS handshake completed: watches the first read of a connection
    /// whose server asked for a client certificate (a client sends one only when asked); passes any other on unchanged.
    /// </summary>
    public ValueTask<Stream> TlsCompleted(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        var stream = context.PlaintextStream;
        var asked = _asked.TryGetValue(stream, out _) || stream is SslStream { LocalCertificate: not null };
        if (asked)
        {
            Volatile.Write(ref _serverAsks, true);
        }

        Volatile.Write(ref _handshakeSeen, true);
        return ValueTask.FromResult(asked ? new FirstReadWatch(stream, this) : stream);
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        if (Volatile.Read(ref _handshakeSeen) && !Volatile.Read(ref _serverAsks))
        {
            return call; // a provider that asks for no client certificate cannot refuse one
        }

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

    // A call that failed to connect right after a connection whose server asked for a client certificate was ended before
    // HTTP/2 began (TLS 1.3), or whose handshake the server broke off with an alert right after asking (TLS 1.2).
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
                return Within(ref _askedAt, HandshakeWindow);
            }
        }

        return Within(ref _refusedAt, RefusalWindow);
    }

    private void ClosedBeforeHttp2() => Volatile.Write(ref _refusedAt, time.GetTimestamp());

    private bool Within(ref long timestamp, TimeSpan window)
    {
        var at = Volatile.Read(ref timestamp);
        return at != long.MinValue && time.GetElapsedTime(at) <= window;
    }

    // The connection's stream, unchanged but for its first read: ended (or broken) before the server's first byte means
    // the server closed the connection right after the TLS handshake.
    private sealed class FirstReadWatch(Stream inner, RefusedClientCertificate owner) : Stream
    {
        private bool _answered;

        public override bool CanRead => inner.CanRead;

        public override bool CanWrite => inner.CanWrite;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_answered)
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            int read;
            try
            {
                read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                owner.ClosedBeforeHttp2();
                throw;
            }

            if (read == 0)
            {
                owner.ClosedBeforeHttp2();
            }
            else
            {
                _answered = true;
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
