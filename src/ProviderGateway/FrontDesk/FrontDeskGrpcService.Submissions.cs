using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.FrontDesk;

/// <summary>The submission methods of the front desk: following and cancelling writes stored to deliver later.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<GetSubmissionResponse> GetSubmission(GetSubmissionRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetSubmissionCore(r, c));

    private Task<GetSubmissionResponse> GetSubmissionCore(GetSubmissionRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        return submissions.GetAsync(request.SubmissionId, deskContexts.For(context));
    }

    /// <inheritdoc />
    public override Task<ListSubmissionsResponse> ListSubmissions(ListSubmissionsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListSubmissionsCore(r, c));

    private Task<ListSubmissionsResponse> ListSubmissionsCore(ListSubmissionsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        return submissions.ListAsync(request, deskContexts.For(context));
    }

    /// <inheritdoc />
    public override Task<CancelSubmissionResponse> CancelSubmission(CancelSubmissionRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.CancelSubmissionCore(r, c));

    private Task<CancelSubmissionResponse> CancelSubmissionCore(CancelSubmissionRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        return submissions.CancelAsync(request.SubmissionId, deskContexts.For(context));
    }
}
