using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Security;

namespace ProviderGateway.FrontDesk;

/// <summary>The consent methods of the front desk: a citizen's consent requested and confirmed through the gateway.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<RequestConsentResponse> RequestConsent(RequestConsentRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.RequestConsentCore(r, c));

    private Task<RequestConsentResponse> RequestConsentCore(RequestConsentRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var caller = context.GetHttpContext().Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("A consent request without its caller.");
        return consents.RequestAsync(request, caller, context.CancellationToken);
    }

    /// <inheritdoc />
    public override Task<ConfirmConsentResponse> ConfirmConsent(ConfirmConsentRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ConfirmConsentCore(r, c));

    private Task<ConfirmConsentResponse> ConfirmConsentCore(ConfirmConsentRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        return consents.ConfirmAsync(request, context.CancellationToken);
    }
}
