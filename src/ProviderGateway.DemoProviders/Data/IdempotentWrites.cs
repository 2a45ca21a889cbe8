using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.DemoProviders.Data;

/// <summary>
/// Remembers every accepted write by its <c>request_id</c>, so that a retry returns the first result and
/// has no second effect, and a request_id reused for another payload is refused with ALREADY_EXISTS.
/// A request_id is scoped, as the contracts say, to the provider (this store), the method (this instance)
/// and the calling gateway client (<c>x-client-id</c>): two clients never see each other's writes.
/// Only accepted writes are remembered: a refused one may be retried once the caller fixed it.
/// Every write that reaches <see cref="Execute"/> is counted received, and every effect applied is counted
/// applied, in the <see cref="DemoWriteLedger"/> the caller passes.
/// </summary>
/// <typeparam name="TRequest">The write's request message; its payload is the request without its request_id.</typeparam>
/// <typeparam name="TResult">What the first execution returned.</typeparam>
internal sealed class IdempotentWrites<TRequest, TResult>(Func<TRequest, string> requestIdOf, Action<TRequest> clearRequestId)
    where TRequest : class, IMessage<TRequest>
{
    /// <summary>The ErrorInfo reason of a request_id reused with another payload.</summary>
    public const string RequestIdReused = "REQUEST_ID_REUSED";

    // Keyed by client and request_id; request_ids compare without the case of their hexadecimal digits.
    private readonly Dictionary<(string Client, string RequestId), (TRequest Payload, TResult Result)> _accepted = [];

    // One write at a time: the check, the effect and the record must be atomic, or two concurrent
    // retries of one request could both take effect. Demo traffic makes this lock cheap.
    private readonly Lock _gate = new();

    /// <summary>Runs <paramref name="effect"/> once per client and request_id and returns its result, or the first result on a retry.</summary>
    /// <param name="request">The write.</param>
    /// <param name="client">The calling gateway client (<c>x-client-id</c>; empty when the call has none).</param>
    /// <param name="ledger">Where the write is counted received, and applied when <paramref name="effect"/> runs to completion.</param>
    /// <param name="effect">The write's effect, run for a new request_id only.</param>
    /// <param name="replayed">True when the result is that of an earlier request.</param>
    /// <exception cref="RpcException">ALREADY_EXISTS when the client used the request_id for another payload.</exception>
    public TResult Execute(TRequest request, string client, DemoWriteLedger ledger, Func<TResult> effect, out bool replayed)
    {
        var payload = request.Clone();
        clearRequestId(payload);
        var requestId = requestIdOf(request);
        var key = (client, requestId.ToLowerInvariant());
        ledger.RecordReceived(requestId);
        lock (_gate)
        {
            if (_accepted.TryGetValue(key, out var first))
            {
                replayed = true;
                return first.Payload.Equals(payload)
                    ? first.Result
                    : throw RpcErrors.Build(
                        StatusCode.AlreadyExists,
                        "This request_id was already used for a different request; choose a new request_id for a new write.",
                        RpcErrors.ErrorInfo(RequestIdReused));
            }

            var result = effect();
            _accepted[key] = (payload, result);
            ledger.RecordApplied(requestId);
            replayed = false;
            return result;
        }
    }
}
