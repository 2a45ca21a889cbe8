using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Consent;
using ProviderGateway.Errors;
using ProviderGateway.Security;
using ProviderGateway.Telemetry;

namespace ProviderGateway.FrontDesk;

/// <summary>
/// What runs around every front-desk method, whichever way the call came (native gRPC, gRPC-Web, JSON): each method of
/// <see cref="FrontDeskGrpcService"/> runs its work through <see cref="Run"/>. Outermost first:
/// <list type="number">
/// <item>the desk-call count (<see cref="GatewayMetrics.DeskCall"/>) of the status the desk receives;</item>
/// <item>access control (<see cref="AccessControl"/>: classification, authentication, permission, district, operator
/// and purpose, the journal's admission), a refusal answered at once;</item>
/// <item>the journal's line of a personal-data call (<see cref="AccessJournaling"/>), with the same status;</item>
/// <item>unexpected failures made INTERNAL (or CANCELLED) before either sees them (<see cref="UnexpectedFailures"/>).</item>
/// </list>
/// These were four gRPC interceptors: each cost an activation, a closure and an asynchronous wrapper with its task on
/// every call, a cached answer included. Here a call that is over when its method returns (a memory hit, a refusal) is
/// counted and journaled at once, and any other is awaited once.
/// </summary>
public sealed class FrontDeskCallGuard(AccessControl access, ConsentGate consent, AccessJournaling journaling, UnexpectedFailures failures, GatewayMetrics metrics)
{
    /// <summary>Runs <paramref name="method"/> of <paramref name="service"/> for one front-desk call.</summary>
    public Task<TResponse> Run<TService, TRequest, TResponse>(
        TService service,
        TRequest request,
        ServerCallContext context,
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> method)
        where TRequest : class
        where TResponse : class
    {
        var http = context.GetHttpContext();
        var call = FrontDeskCalls.Of(http);
        // Counted here unless counted already (a refusal before the service is counted where it is refused).
        var counted = call is not null && call.TryClaimDeskCallCount();
        var message = request as IMessage;

        // ACCESS CONTROL
        var decision = access.Decide(http, message);
        Task<TResponse> answer;
        if (decision.Refusal is { } refusal)
        {
            answer = Task.FromException<TResponse>(refusal);
        }
        else if (decision.Caller is { } caller && call!.Client is { } client && message is not null && ConsentGate.Applies(client, call.Method))
        {
            // CONSENT, before the method: no cache or provider is asked without it.
            return ConsentedAsync(service, request, context, method, http, call, caller, message, counted);
        }
        else
        {
            // THE CALL, its unexpected failures translated before the journal and the count see them.
            try
            {
                answer = failures.Settled(method(service, request, context), context);
            }
            catch (Exception ex) when (ex is not RpcException)
            {
                answer = Task.FromException<TResponse>(failures.Translate(ex, context));
            }
            catch (RpcException ex)
            {
                answer = Task.FromException<TResponse>(ex);
            }
        }

        // Journaled when let through about personal data; counted unless counted already.
        var line = decision.Journaled ? decision.Caller : null;
        if (!answer.IsCompleted)
        {
            return CompleteAsync(answer, call, line, message, counted);
        }

        // Over already: journaled and counted at once, no wrapper.
        Over(answer, call, line, message, counted);
        return answer;
    }

    // A call that needs the citizen's consent: verified first (a refusal is the call's answer, journaled with its reason),
    // then the method under the grant, which the journal line names.
    private async Task<TResponse> ConsentedAsync<TService, TRequest, TResponse>(
        TService service,
        TRequest request,
        ServerCallContext context,
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> method,
        HttpContext http,
        FrontDeskCall call,
        CallerIdentity caller,
        IMessage message,
        bool counted)
        where TRequest : class
        where TResponse : class
    {
        Task<TResponse> answer;
        try
        {
            var grant = await consent.CheckAsync(http, call.Method, message, caller).ConfigureAwait(false);
            caller = caller with { Consent = grant };
            http.Features.Set(caller);
            answer = failures.Settled(method(service, request, context), context);
        }
        catch (RpcException ex)
        {
            answer = Task.FromException<TResponse>(ex);
        }
        catch (Exception ex)
        {
            answer = Task.FromException<TResponse>(failures.Translate(ex, context));
        }

        return await CompleteAsync(answer, call, caller, message, counted).ConfigureAwait(false);
    }

    private async Task<TResponse> CompleteAsync<TResponse>(Task<TResponse> answer, FrontDeskCall? call, CallerIdentity? line, IMessage? request, bool counted)
        where TResponse : class
    {
        try
        {
            await ((Task)answer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            Over(answer, call, line, request, counted);
        }

        return await answer.ConfigureAwait(false);
    }

    // JOURNAL, then COUNT, with the status the desk receives (Settled left only RpcExceptions).
    private void Over<TResponse>(Task<TResponse> answer, FrontDeskCall? call, CallerIdentity? line, IMessage? request, bool counted)
        where TResponse : class
    {
        var failure = answer.IsCompletedSuccessfully ? null
            : answer.Exception?.InnerException as RpcException ?? new RpcException(new Status(StatusCode.Internal, "Unexpected failure."));
        if (line is not null)
        {
            if (failure is null)
            {
                journaling.Answered(call!, line, request, (IMessage)answer.Result);
            }
            else
            {
                journaling.Failed(call!, line, request, failure);
            }
        }

        if (counted)
        {
            metrics.DeskCall(call!.Method.Name, failure?.StatusCode ?? StatusCode.OK);
        }
    }
}
