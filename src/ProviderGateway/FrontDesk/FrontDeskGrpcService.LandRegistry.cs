using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Delivery;
using ProviderGateway.Errors;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Land = ProviderGateway.Contracts.LandRegistry.V1;

namespace ProviderGateway.FrontDesk;

/// <summary>The land registry methods of the front desk.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<ListParcelsResponse> ListParcels(ListParcelsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListParcelsCore(r, c));

    private async Task<ListParcelsResponse> ListParcelsCore(ListParcelsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        var page = await lister.ListAsync(
            ProviderOperations.LandRegistry.ListParcels,
            request.Iin,
            request.KatoCode,
            request.PageSize,
            request.PageToken,
            (size, token) => new Land.ListParcelsRequest { Iin = request.Iin, PageSize = size, PageToken = token },
            answer => answer.NextPageToken,
            desk);

        var response = new ListParcelsResponse { NextPageToken = page.NextPageToken };
        foreach (var outcome in page.Outcomes)
        {
            response.Sources.Add(outcome.ToSourceStatus(desk.Language));
            response.Parcels.AddRange(districts.Visible(desk, outcome.Response?.Parcels ?? []).Select(p => new RegisteredParcel { ProviderId = outcome.Provider.Id, Parcel = p }));
        }

        return response;
    }

    /// <inheritdoc />
    public override Task<GetParcelResponse> GetParcel(GetParcelRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetParcelCore(r, c));

    private async Task<GetParcelResponse> GetParcelCore(GetParcelRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.LandRegistry.GetParcel,
            new Land.GetParcelRequest { CadastralNumber = request.CadastralNumber },
            desk);
        // Under the citizen's consent, only a parcel the citizen holds a right on.
        if (desk.Caller?.Consent is not null && !(answer.Parcel?.RightsHolders.Any(h => h.Iin == request.Iin) ?? false))
        {
            throw ConsentErrors.Required("OTHER_CITIZEN", [Contracts.Consent.V1.ConsentScope.LandRegistry]);
        }

        return new GetParcelResponse { Parcel = districts.EnsureVisible(desk, answer.Parcel), Source = source };
    }

    /// <inheritdoc />
    public override Task<CreateCertificateOrderResponse> CreateCertificateOrder(CreateCertificateOrderRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.CreateCertificateOrderCore(r, c));

    private async Task<CreateCertificateOrderResponse> CreateCertificateOrderCore(CreateCertificateOrderRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        if (request.CadastralNumber.Length > 0)
        {
            await districts.EnsureParcelVisibleAsync(request.ProviderId, request.KatoCode, request.CadastralNumber, desk);
        }

        var written = await submissions.WriteAsync(
            SubmittableWrites.CertificateOrder,
            request.ProviderId,
            request.KatoCode,
            new Land.CreateCertificateOrderRequest
            {
                RequestId = request.RequestId,
                Iin = request.Iin,
                CertificateType = request.CertificateType,
                CadastralNumber = request.CadastralNumber,
            },
            request.RequestId,
            request.Iin,
            request.DeliveryMode,
            desk);
        return new CreateCertificateOrderResponse { Order = written.Answer?.Order, Source = written.Source, Submission = written.Submission };
    }

    /// <inheritdoc />
    public override Task<GetCertificateOrderResponse> GetCertificateOrder(GetCertificateOrderRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetCertificateOrderCore(r, c));

    private async Task<GetCertificateOrderResponse> GetCertificateOrderCore(GetCertificateOrderRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.LandRegistry.GetCertificateOrder,
            new Land.GetCertificateOrderRequest { Iin = request.Iin, OrderId = request.OrderId },
            desk);
        if (answer.Order?.CadastralNumber is { Length: > 0 } parcel)
        {
            await districts.EnsureParcelVisibleAsync(request.ProviderId, request.KatoCode, parcel, desk);
        }

        return new GetCertificateOrderResponse { Order = answer.Order, Source = source };
    }
}
