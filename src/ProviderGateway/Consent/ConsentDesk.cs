using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.Security;
using Authority = ProviderGateway.Contracts.Consent.V1;
using Desk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Consent;

/// <summary>
/// The front desk's consent requests, through the gateway so that a desk needs only the gateway: RequestConsent asks
/// the authority for the calling client, its operator and purpose; ConfirmConsent hands on the citizen's code. The
/// authority's documented refusals (a wrong or expired code, no phone on record …) reach the desk as the authority wrote
/// them; anything else is UNAVAILABLE <c>CONSENT_AUTHORITY_UNAVAILABLE</c>.
/// </summary>
public sealed class ConsentDesk(IServiceProvider services, IOptions<ConsentOptions> options, ILogger<ConsentDesk> logger)
{
    private static readonly HashSet<string> PassedOn = new(StringComparer.Ordinal)
    {
        ErrorReasons.ConsentNoChannel,
        ErrorReasons.ConsentCodeWrong,
        ErrorReasons.ConsentCodeExpired,
        ErrorReasons.ConsentAttemptsExhausted,
        ErrorReasons.ConsentRequestNotFound,
    };

    private readonly ConsentAuthority? _authority = services.GetService<ConsentAuthority>();
    private readonly TimeSpan _timeout = options.Value.VerifyTimeout;

    /// <summary>Asks the authority to send the citizen a code for <paramref name="caller"/>'s access.</summary>
    public async Task<Desk.RequestConsentResponse> RequestAsync(Desk.RequestConsentRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var asked = new Authority.RequestConsentRequest
        {
            Iin = request.Iin,
            ClientId = caller.ClientId,
            OperatorId = caller.OperatorId,
            Purpose = caller.Purpose,
            Term = request.Term,
        };
        asked.Scopes.AddRange(request.Scopes);
        var answer = await CallAsync(authority => authority.RequestConsentAsync(asked, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        return new Desk.RequestConsentResponse
        {
            RequestId = answer.RequestId,
            Channel = answer.Channel,
            MaskedDestination = answer.MaskedDestination,
            CodeExpireTime = answer.CodeExpireTime,
        };
    }

    /// <summary>Confirms a request with the citizen's code: the consent and its token.</summary>
    public async Task<Desk.ConfirmConsentResponse> ConfirmAsync(Desk.ConfirmConsentRequest request, CancellationToken cancellationToken)
    {
        var answer = await CallAsync(authority => authority.ConfirmConsentAsync(
            new Authority.ConfirmConsentRequest { RequestId = request.RequestId, Code = request.Code }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        var response = new Desk.ConfirmConsentResponse
        {
            ConsentId = answer.ConsentId,
            ConsentToken = answer.ConsentToken,
            ExpireTime = answer.ExpireTime,
            Purpose = answer.Purpose,
        };
        response.Scopes.AddRange(answer.Scopes);
        return response;
    }

    // grpc-dotnet measures a deadline on the system clock, whatever TimeProvider the gateway runs on.
    private DateTime Deadline() => DateTime.UtcNow + _timeout;

    private async Task<T> CallAsync<T>(Func<Authority.ConsentService.ConsentServiceClient, Task<T>> call)
    {
        if (_authority is null)
        {
            throw ConsentErrors.AuthorityUnavailable("no consent authority is configured");
        }

        try
        {
            return await call(_authority.Client).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.GetRpcStatus() is { } status && status.GetDetail<ErrorInfo>() is { Domain: RpcErrors.Domain } info && PassedOn.Contains(info.Reason))
        {
            // The authority's own refusal, for the desk to act on (its details rebuilt: none of its other trailers).
            throw status.ToRpcException();
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            ConsentLog.VerifyFailed(logger, ex.StatusCode.ToString(), null);
            throw ConsentErrors.AuthorityUnavailable($"the consent authority answered {GrpcStatusNames.Name(ex.StatusCode)}");
        }
    }
}
