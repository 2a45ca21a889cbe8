using Grpc.Core;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ProviderGateway.Configuration;
using ProviderGateway.Localization;
using ProviderGateway.Security;

namespace ProviderGateway.Pipeline;

/// <summary>
/// What the pipeline needs to know about the desk's call, independent of the gRPC server types:
/// when the gateway must have its answer ready, whether the desk has gone, whether it wants fresh data.
/// </summary>
/// <param name="Deadline">
/// When provider calls must end (UTC): the desk's deadline (its grpc-timeout from the request's arrival, or the default
/// when it set none) less the margin kept for sending the answer.
/// </param>
/// <param name="Cancellation">Cancelled when the desk cancels or disconnects (or, inside a fan-out, at <paramref name="Deadline"/>).</param>
/// <param name="BypassCache">True when the desk asked for a fresh answer (metadata <c>cache-control: no-cache</c>).</param>
/// <param name="Caller">
/// Who is asking (client, operator, purpose), passed on to providers as metadata; <c>null</c> when unknown.
/// </param>
/// <param name="Aborted">Cancelled only when the desk itself cancelled its call or dropped its connection.</param>
/// <param name="Language">
/// The call's language (<c>Localization/CallLanguages</c>): of the provider names and error messages for people in its
/// answer; empty for none (names as configured, no localized messages).
/// </param>
public readonly record struct DeskContext(
    DateTime Deadline, CancellationToken Cancellation, bool BypassCache = false, CallerIdentity? Caller = null, CancellationToken Aborted = default, string Language = "");

/// <summary>Makes the <see cref="DeskContext"/> of each front-desk call.</summary>
public sealed class DeskContextFactory(IOptions<ResilienceOptions> options, CallLanguages languages, TimeProvider time)
{
    private readonly TimeSpan _defaultDeadline = options.Value.DefaultCallDeadline;
    private readonly TimeSpan _margin = options.Value.DeadlineMargin;
    private readonly double _marginShare = options.Value.DeadlineMarginShare;

    private const string GrpcTimeoutHeader = "grpc-timeout";

    /// <summary>The desk context of a gRPC server call.</summary>
    public DeskContext For(ServerCallContext context)
    {
        // Read from the HTTP request directly: ServerCallContext.RequestHeaders copies every header, on every call.
        var http = context.GetHttpContext();
        // The desk's clock started when its request arrived, not when grpc-dotnet's handler began (DeskCallArrival).
        var arrival = http.Features.Get<DeskCallArrival>()?.At ?? time.GetUtcNow().UtcDateTime;
        var deadline = context.Deadline == DateTime.MaxValue ? arrival + _defaultDeadline : context.Deadline;
        if (DeskCallArrival.TryParseTimeout(http.Request.Headers[GrpcTimeoutHeader], out var timeout) && timeout < DateTime.MaxValue - arrival)
        {
            deadline = new DateTime(Math.Min(deadline.Ticks, (arrival + timeout).Ticks), DateTimeKind.Utc);
        }

        var headers = http.Request.Headers;
        return new DeskContext(
            deadline - MarginOf(deadline - arrival),
            context.CancellationToken,
            AsksForFreshAnswer(headers.CacheControl),
            http.Features.Get<CallerIdentity>(),
            http.RequestAborted,
            languages.Of(headers.AcceptLanguage));
    }

    /// <summary>The time kept to send the answer of a call with <paramref name="time"/> to its deadline.</summary>
    public TimeSpan MarginOf(TimeSpan time) =>
        time <= TimeSpan.Zero ? _margin : TimeSpan.FromTicks(Math.Max(_margin.Ticks, (long)(time.Ticks * _marginShare)));

    // HTTP semantics: "no-cache" means "do not answer from a cache without checking with the origin".
    private static bool AsksForFreshAnswer(StringValues cacheControl)
    {
        foreach (var value in cacheControl)
        {
            foreach (var directive in (value ?? "").Split(','))
            {
                if (directive.Trim() is var d && (d.Equals("no-cache", StringComparison.OrdinalIgnoreCase) || d.Equals("max-age=0", StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>
/// The one clock of a desk's call: cancels its provider calls, and every wait on their way (a cache lock held by
/// another caller, a stampede wait, a backoff), at the desk's deadline (less the margin kept to answer), so that the
/// call answers with what it has before the desk's own deadline. Every pipeline entry (overview, fan-out listing,
/// single call) runs under one.
/// </summary>
public sealed class DeskDeadlineScope : IDisposable
{
    private readonly CancellationTokenSource _bound;

    /// <summary>Starts the bound for <paramref name="desk"/>.</summary>
    public DeskDeadlineScope(DeskContext desk, TimeProvider time)
    {
        _bound = CancellationTokenSource.CreateLinkedTokenSource(desk.Cancellation);
        var remaining = desk.Deadline - time.GetUtcNow().UtcDateTime;
        _bound.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        Desk = desk with { Cancellation = _bound.Token };
    }

    /// <summary>The desk context whose cancellation also fires at the deadline.</summary>
    public DeskContext Desk { get; }

    /// <inheritdoc />
    public void Dispose() => _bound.Dispose();
}
