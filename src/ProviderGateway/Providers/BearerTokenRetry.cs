using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ProviderGateway.Providers;

/// <summary>
/// On a provider's channel with OAuth2 client credentials: a unary call the provider refuses UNAUTHENTICATED is made once
/// more with a new token (the provider may have revoked the token, rotated its keys or restarted and forgotten it). The
/// second refusal is the call's answer. Retrying is safe for every method, writes included: UNAUTHENTICATED means the
/// provider did nothing. A call that carried no token (the token endpoint failed) is not retried, nor one whose token was
/// already replaced moments ago (<see cref="ProviderTokenCache.Forget"/>).
/// </summary>
internal sealed class BearerTokenRetry(string providerId, ProviderTokenCache tokens, ILogger logger) : Interceptor
{
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        AsyncUnaryCall<TResponse> first;
        StrongBox<long> carried;
        using (var noting = ProviderTokenCache.NoteCarried())
        {
            carried = noting.Box;
            first = continuation(request, context);
        }

        var call = new RetriedCall<TRequest, TResponse>(first);
        call.Response = RespondAsync();
        return new AsyncUnaryCall<TResponse>(call.Response, call.HeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);

        async Task<TResponse> RespondAsync()
        {
            try
            {
                return await call.Current.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.Unauthenticated && tokens.Forget(Volatile.Read(ref carried.Value)))
            {
                ProvidersLog.TokenRefused(logger, providerId, context.Method.FullName);
                call.Retry(continuation(request, context));
                return await call.Current.ResponseAsync.ConfigureAwait(false);
            }
        }
    }

    // The call as the caller sees it: the first attempt, then the retry once it is made.
    private sealed class RetriedCall<TRequest, TResponse>(AsyncUnaryCall<TResponse> first)
        where TRequest : class
        where TResponse : class
    {
        private AsyncUnaryCall<TResponse>? _retry;

        public AsyncUnaryCall<TResponse> Current => Volatile.Read(ref _retry) ?? first;

        public Task<TResponse> Response { get; set; } = null!;

        public void Retry(AsyncUnaryCall<TResponse> retry)
        {
            Volatile.Write(ref _retry, retry);
            first.Dispose();
        }

        // The headers of the attempt that answered: known once the answer (or the final failure) is in.
        public async Task<Metadata> HeadersAsync()
        {
            try
            {
                await Response.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The headers of a failed call are still read below (empty for a trailers-only answer).
            }

            return await Current.ResponseHeadersAsync.ConfigureAwait(false);
        }

        public Status GetStatus() => Current.GetStatus();

        public Metadata GetTrailers() => Current.GetTrailers();

        public void Dispose()
        {
            first.Dispose();
            Volatile.Read(ref _retry)?.Dispose();
        }
    }
}
