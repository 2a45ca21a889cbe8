using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Security;

namespace ProviderGateway.FrontDesk;

/// <summary>The access history method of the front desk: who accessed a citizen's data.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<ListDataAccessesResponse> ListDataAccesses(ListDataAccessesRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListDataAccessesCore(r, c));

    private Task<ListDataAccessesResponse> ListDataAccessesCore(ListDataAccessesRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var caller = context.GetHttpContext().Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("An access history call without its caller.");
        return histories.ListAsync(request, caller, context.CancellationToken);
    }
}
