using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Delivery;

/// <summary>What one delivery attempt came to, as the desk would have seen it.</summary>
/// <param name="Status">OK, or the failure mapped for the desk (code, message, ErrorInfo with the provider, its details).</param>
/// <param name="Answer">The provider's answer (protobuf bytes) when OK.</param>
public readonly record struct DeliveryAttempt(Status Status, byte[]? Answer)
{
    /// <summary>The provider took it.</summary>
    public bool Delivered => Answer is not null;

    /// <summary>
    /// A failure worth another attempt: the provider could not be reached or answer in time (UNAVAILABLE, DEADLINE_EXCEEDED,
    /// its circuit open, its concurrency limit full, its credentials refused), or it aborted. Anything else it answered
    /// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED ...) is definitive.
    /// </summary>
    public bool IsTransient => Status.Code is (int)StatusCode.Unavailable or (int)StatusCode.DeadlineExceeded or (int)StatusCode.Aborted;

    /// <summary>
    /// Whether the attempt may have reached the provider: not when it failed fast before the wire (circuit open,
    /// concurrency limit full) or was not made (queued behind the citizen's earlier submission). A timed-out or failed
    /// attempt may have been applied: the submission can no longer be cancelled.
    /// </summary>
    public bool MayHaveReachedProvider => Status.GetDetail<Google.Rpc.ErrorInfo>()?.Reason is not (ErrorReasons.ProviderCircuitOpen or ErrorReasons.ProviderBusy or ErrorReasons.SubmissionQueuedBehind);

    /// <summary>The code's name, for example <c>UNAVAILABLE</c>.</summary>
    public string CodeName => Core.GrpcStatusNames.Name((StatusCode)Status.Code);
}

/// <summary>
/// A write the desk may send with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE: its front-desk method (what the store records), its
/// provider operation, and how a stored request is delivered and its answer shown in GetSubmission.
/// </summary>
public abstract class SubmittableWrite
{
    /// <summary>The front-desk method, for example <c>CreateMeterReading</c>.</summary>
    public abstract string DeskMethod { get; }

    /// <summary>Sends the stored <paramref name="request"/> to <paramref name="provider"/> once, through the pipeline (deadline, resilience, the cache's invalidation).</summary>
    public abstract Task<DeliveryAttempt> DeliverAsync(ProviderCallPipeline pipeline, ProviderDescriptor provider, byte[] request, DeskContext desk);

    /// <summary>The citizen a stored request is about (for the journal's subject).</summary>
    public abstract string? CitizenOf(byte[] request);

    /// <summary>Puts the provider's stored <paramref name="answer"/> in <paramref name="response"/>'s result.</summary>
    public abstract void ShowAnswer(GetSubmissionResponse response, byte[] answer);
}

/// <summary>One <see cref="SubmittableWrite"/> on a provider operation.</summary>
/// <typeparam name="TRequest">The provider's request.</typeparam>
/// <typeparam name="TResponse">The provider's answer.</typeparam>
public sealed class SubmittableWrite<TRequest, TResponse>(string deskMethod, ProviderOperation<TRequest, TResponse> operation, MessageParser<TRequest> requests, MessageParser<TResponse> answers, Action<GetSubmissionResponse, TResponse> show)
    : SubmittableWrite
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    /// <inheritdoc />
    public override string DeskMethod => deskMethod;

    /// <summary>The provider operation.</summary>
    public ProviderOperation<TRequest, TResponse> Operation => operation;

    /// <inheritdoc />
    public override async Task<DeliveryAttempt> DeliverAsync(ProviderCallPipeline pipeline, ProviderDescriptor provider, byte[] request, DeskContext desk)
    {
        var outcome = await pipeline.CallAsync(provider, operation, requests.ParseFrom(request), desk).ConfigureAwait(false);
        return Attempt(outcome);
    }

    /// <summary>The attempt an outcome of this write is.</summary>
    public static DeliveryAttempt Attempt(ProviderOutcome<TResponse> outcome) =>
        new(outcome.Status, outcome.Response?.ToByteArray());

    /// <inheritdoc />
    public override string? CitizenOf(byte[] request) => operation.CitizenOf(requests.ParseFrom(request));

    /// <inheritdoc />
    public override void ShowAnswer(GetSubmissionResponse response, byte[] answer) => show(response, answers.ParseFrom(answer));
}

/// <summary>The three writes that can be submitted, by front-desk method.</summary>
public static class SubmittableWrites
{
    /// <summary>CreateMeterReading.</summary>
    public static readonly SubmittableWrite<Contracts.Utilities.V1.CreateMeterReadingRequest, Contracts.Utilities.V1.CreateMeterReadingResponse> MeterReading = new(
        nameof(FrontDeskService.FrontDeskServiceBase.CreateMeterReading),
        ProviderOperations.Utilities.CreateMeterReading,
        Contracts.Utilities.V1.CreateMeterReadingRequest.Parser,
        Contracts.Utilities.V1.CreateMeterReadingResponse.Parser,
        static (response, answer) => response.Reading = answer.Reading);

    /// <summary>CreateCertificateOrder.</summary>
    public static readonly SubmittableWrite<Contracts.LandRegistry.V1.CreateCertificateOrderRequest, Contracts.LandRegistry.V1.CreateCertificateOrderResponse> CertificateOrder = new(
        nameof(FrontDeskService.FrontDeskServiceBase.CreateCertificateOrder),
        ProviderOperations.LandRegistry.CreateCertificateOrder,
        Contracts.LandRegistry.V1.CreateCertificateOrderRequest.Parser,
        Contracts.LandRegistry.V1.CreateCertificateOrderResponse.Parser,
        static (response, answer) => response.Order = answer.Order);

    /// <summary>CreateBenefitApplication.</summary>
    public static readonly SubmittableWrite<Contracts.SocialServices.V1.CreateApplicationRequest, Contracts.SocialServices.V1.CreateApplicationResponse> BenefitApplication = new(
        nameof(FrontDeskService.FrontDeskServiceBase.CreateBenefitApplication),
        ProviderOperations.SocialServices.CreateApplication,
        Contracts.SocialServices.V1.CreateApplicationRequest.Parser,
        Contracts.SocialServices.V1.CreateApplicationResponse.Parser,
        static (response, answer) => response.Application = answer.Application);

    private static readonly Dictionary<string, SubmittableWrite> ByMethod = new(StringComparer.Ordinal)
    {
        [MeterReading.DeskMethod] = MeterReading,
        [CertificateOrder.DeskMethod] = CertificateOrder,
        [BenefitApplication.DeskMethod] = BenefitApplication,
    };

    /// <summary>The write of front-desk method <paramref name="deskMethod"/>, or <c>null</c>.</summary>
    public static SubmittableWrite? Find(string deskMethod) => ByMethod.GetValueOrDefault(deskMethod);
}
