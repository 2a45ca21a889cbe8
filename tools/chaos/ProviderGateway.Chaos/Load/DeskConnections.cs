using System.Diagnostics;
using System.Net.Sockets;

namespace ProviderGateway.Chaos.Load;

/// <summary>One HTTP/2 connection the desk opened to a gateway: when it began and when the gateway first answered on it.</summary>
/// <param name="Gateway">A or B.</param>
/// <param name="Began">When the desk's client began to connect, from the start of the load.</param>
/// <param name="Connected">When the TCP connection was made.</param>
/// <param name="FirstByte">When the gateway's first bytes arrived (its HTTP/2 settings); <c>null</c> when none did.</param>
public sealed record DeskConnection(string Gateway, TimeSpan Began, TimeSpan? Connected, TimeSpan? FirstByte);

/// <summary>
/// Records the desk's connections to each gateway (the client's <c>ConnectCallback</c>), so that the time a call spent
/// waiting for the desk's own connection, before its request could reach a gateway, can be told from the gateway's.
/// </summary>
public sealed class DeskConnections(Func<TimeSpan> now)
{
    private readonly List<Entry> _entries = [];

    /// <summary>Every connection so far.</summary>
    public IReadOnlyList<DeskConnection> All
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries.Select(e => new DeskConnection(e.Gateway, e.Began, e.Connected, e.FirstByte))];
            }
        }
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> for the connections to <paramref name="gateway"/>.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CallbackFor(string gateway) => async (context, cancellation) =>
    {
        var entry = new Entry(gateway, now());
        lock (_entries)
        {
            _entries.Add(entry);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellation);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        entry.Connected = now();
        return new FirstReadStream(new NetworkStream(socket, ownsSocket: true), () => entry.FirstByte ??= now());
    };

    private sealed class Entry(string gateway, TimeSpan began)
    {
        public string Gateway { get; } = gateway;

        public TimeSpan Began { get; } = began;

        public TimeSpan? Connected { get; set; }

        public TimeSpan? FirstByte { get; set; }
    }

    /// <summary>A stream that notes its first successful read.</summary>
    private sealed class FirstReadStream(Stream inner, Action firstRead) : Stream
    {
        private int _read;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Noted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Noted(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Noted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Noted(int read)
        {
            if (read > 0 && Interlocked.Exchange(ref _read, 1) == 0)
            {
                firstRead();
            }

            return read;
        }
    }
}
