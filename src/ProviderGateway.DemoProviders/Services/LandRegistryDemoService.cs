using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.DemoProviders.Data;
using ProviderGateway.DemoProviders.Logging;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.DemoProviders.Services;

/// <summary>
/// The demo implementation of <c>providergateway.landregistry.v1.LandRegistryService</c>: parcels from
/// the seed, and certificate orders that become READY after
/// <see cref="DemoDataStoreOptions.CertificateReadyAfter"/>.
/// </summary>
public sealed class LandRegistryDemoService(DemoDataStore store, DemoFaults faults, ILogger<LandRegistryDemoService> logger) : LandRegistryService.LandRegistryServiceBase
{
    /// <inheritdoc />
    public override Task<ListParcelsResponse> ListParcels(ListParcelsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (parcels, next) = store.PageTokens.Page(
            store.ListParcels(request.Iin), request.PageSize, request.PageToken, $"ListParcels|{request.Iin}");
        return Task.FromResult(new ListParcelsResponse { Parcels = { parcels }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<GetParcelResponse> GetParcel(GetParcelRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.CadastralNumber("cadastral_number", request.CadastralNumber, store.CadastralNumberPattern);
        violations.ThrowIfAny();

        return Task.FromResult(new GetParcelResponse { Parcel = store.GetParcel(request.CadastralNumber) });
    }

    /// <inheritdoc />
    public override Task<CreateCertificateOrderResponse> CreateCertificateOrder(CreateCertificateOrderRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.RequestId("request_id", request.RequestId);
        violations.Iin("iin", request.Iin);
        violations.RequiredEnum("certificate_type", request.CertificateType);
        if (DemoDataStore.NeedsCadastralNumber(request.CertificateType))
        {
            violations.CadastralNumber("cadastral_number", request.CadastralNumber, store.CadastralNumberPattern);
        }
        else if (request.CertificateType == CertificateType.RealEstateOwnership && request.CadastralNumber.Length > 0)
        {
            violations.Add(
                "cadastral_number",
                "A certificate of real estate ownership covers the whole country; leave cadastral_number empty.",
                "CADASTRAL_NUMBER_NOT_ALLOWED");
        }

        violations.ThrowIfAny();

        var order = store.CreateCertificateOrder(request, GatewayClient.Of(context), out var replayed);
        if (replayed)
        {
            DemoProviderLog.WriteReplayed(logger, nameof(CreateCertificateOrder));
        }
        else
        {
            DemoProviderLog.CertificateOrderReceived(logger, order.OrderId, order.CertificateType);
        }

        LostWriteAnswers.ThrowIfLost(faults, store, logger, nameof(CreateCertificateOrder));
        return Task.FromResult(new CreateCertificateOrderResponse { Order = order });
    }

    /// <inheritdoc />
    public override Task<GetCertificateOrderResponse> GetCertificateOrder(GetCertificateOrderRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.ResourceId("order_id", request.OrderId, "a certificate order id");
        violations.ThrowIfAny();

        return Task.FromResult(new GetCertificateOrderResponse { Order = store.GetCertificateOrder(request.Iin, request.OrderId) });
    }
}
