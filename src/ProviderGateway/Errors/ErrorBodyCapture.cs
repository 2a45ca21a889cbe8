namespace ProviderGateway.Errors;

/// <summary>
/// A response body that passes a successful answer straight through and holds back an error's: whether the
/// response is an error is decided at the first write, from the HTTP status set by then. What was held back is
/// <see cref="HeldBack"/>, for the caller to complete and send.
/// </summary>
internal sealed class ErrorBodyCapture(HttpResponse response, Stream inner) : Stream
{
    private bool _decided;

    /// <summary>The error body written so far; <c>null</c> when the response is not an error (or nothing was written).</summary>
    public MemoryStream? HeldBack { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Target().Write(buffer, offset, count);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Target().WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Target().WriteAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override void Flush()
    {
        if (HeldBack is null)
        {
            inner.Flush();
        }
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        HeldBack is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    private Stream Target()
    {
        if (!_decided)
        {
            _decided = true;
            if (response.StatusCode >= StatusCodes.Status400BadRequest && !response.HasStarted)
            {
                HeldBack = new MemoryStream();
            }
        }

        return (Stream?)HeldBack ?? inner;
    }
}
