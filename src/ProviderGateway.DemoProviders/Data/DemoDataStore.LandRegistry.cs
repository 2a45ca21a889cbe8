using System.Collections.Concurrent;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.LandRegistry.V1;

namespace ProviderGateway.DemoProviders.Data;

public sealed partial class DemoDataStore
{
    /// <summary>The resource type of a parcel in NOT_FOUND errors.</summary>
    public const string ParcelResourceType = "landregistry.v1.Parcel";

    /// <summary>The resource type of a certificate order in NOT_FOUND errors.</summary>
    public const string CertificateOrderResourceType = "landregistry.v1.CertificateOrder";

    private readonly Dictionary<string, Parcel> _parcels;
    private readonly Dictionary<string, Parcel[]> _parcelsByIin;
    private readonly ConcurrentDictionary<string, CertificateOrderRecord> _certificateOrders = new(StringComparer.Ordinal);

    private readonly IdempotentWrites<CreateCertificateOrderRequest, CertificateOrderRecord> _certificateOrderWrites =
        new(r => r.RequestId, r => r.RequestId = "");

    /// <summary>True when <paramref name="type"/> is about one parcel and so needs a cadastral number.</summary>
    public static bool NeedsCadastralNumber(CertificateType type) =>
        type is CertificateType.RightsAndEncumbrances or CertificateType.RightsHistory;

    /// <summary>The parcels on which the citizen holds a right, ordered by cadastral number; empty for an unknown IIN.</summary>
    public IReadOnlyList<Parcel> ListParcels(string iin) =>
        _parcelsByIin.TryGetValue(iin, out var parcels) ? parcels : Empty<Parcel>();

    /// <summary>One parcel with its rights holders and encumbrances.</summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when no parcel has this cadastral number.</exception>
    public Parcel GetParcel(string cadastralNumber) =>
        _parcels.TryGetValue(cadastralNumber, out var parcel)
            ? parcel
            : throw RpcErrors.NotFound(ParcelResourceType, cadastralNumber, "No parcel is registered under this cadastral number.");

    /// <summary>Places a certificate order (whose fields the caller has checked) once per request_id.</summary>
    /// <param name="request">The checked request.</param>
    /// <param name="client">The calling gateway client (<c>x-client-id</c>), the scope of the request_id.</param>
    /// <param name="replayed">True when the answer is that of an earlier request with the same request_id.</param>
    /// <returns>The order in its current state.</returns>
    /// <exception cref="Grpc.Core.RpcException">
    /// NOT_FOUND when the certificate is about a parcel on which the citizen holds no right,
    /// ALREADY_EXISTS for a request_id used with another payload.
    /// </exception>
    public CertificateOrder CreateCertificateOrder(CreateCertificateOrderRequest request, string client, out bool replayed)
    {
        var order = _certificateOrderWrites.Execute(request, client, Writes, () => PlaceCertificateOrder(request), out replayed);
        return order.ToContract(Now, Options.CertificateReadyAfter);
    }

    /// <summary>One of the citizen's certificate orders in its current state.</summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when the order does not exist or was placed by someone else.</exception>
    public CertificateOrder GetCertificateOrder(string iin, string orderId) =>
        _certificateOrders.TryGetValue(orderId, out var order) && order.Iin == iin
            ? order.ToContract(Now, Options.CertificateReadyAfter)
            : throw RpcErrors.NotFound(CertificateOrderResourceType, orderId, "No such certificate order for this citizen.");

    private CertificateOrderRecord PlaceCertificateOrder(CreateCertificateOrderRequest request)
    {
        // Do not reveal whether the parcel exists when the citizen holds no right on it.
        if (NeedsCadastralNumber(request.CertificateType) && !ListParcels(request.Iin).Any(p => p.CadastralNumber == request.CadastralNumber))
        {
            throw RpcErrors.NotFound(ParcelResourceType, request.CadastralNumber, "The citizen holds no registered right on this parcel.");
        }

        var order = new CertificateOrderRecord(NextId("CO"), request.Iin, request.CertificateType, request.CadastralNumber, Now);
        _certificateOrders[order.OrderId] = order;
        return order;
    }

    private (Dictionary<string, Parcel>, Dictionary<string, Parcel[]>) IndexParcels()
    {
        var parcels = Seed.Parcels
            .Where(p => p.ProviderId == Provider.Id)
            .OrderBy(p => p.CadastralNumber, StringComparer.Ordinal)
            .Select(p => (Seed: p, Contract: ContractMapping.Parcel(p, Seed)))
            .ToList();
        return (
            parcels.ToDictionary(p => p.Seed.CadastralNumber, p => p.Contract, StringComparer.Ordinal),
            parcels.SelectMany(p => p.Seed.RightsHolders.Select(h => (h.Iin, p.Contract)))
                .GroupBy(x => x.Iin, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(x => x.Contract).ToArray(), StringComparer.Ordinal));
    }

    /// <summary>An accepted certificate order; its state follows from how long ago it was placed.</summary>
    private sealed record CertificateOrderRecord(string OrderId, string Iin, CertificateType Type, string CadastralNumber, DateTimeOffset CreateTime)
    {
        /// <summary>
        /// RECEIVED, then IN_PROGRESS from a third of <paramref name="readyAfter"/>, then READY with a
        /// document number: the registry's slow production, compressed.
        /// </summary>
        public CertificateOrder ToContract(DateTimeOffset now, TimeSpan readyAfter)
        {
            var order = new CertificateOrder
            {
                OrderId = OrderId,
                CertificateType = Type,
                CadastralNumber = CadastralNumber,
                CreateTime = ContractMapping.Time(CreateTime),
            };
            var elapsed = now - CreateTime;
            var startedAfter = readyAfter / 3;
            if (readyAfter <= TimeSpan.Zero || elapsed >= readyAfter)
            {
                order.State = CertificateOrderState.Ready;
                order.UpdateTime = ContractMapping.Time(CreateTime + (readyAfter > TimeSpan.Zero ? readyAfter : TimeSpan.Zero));
                order.DocumentNumber = $"LR-{OrderId[(OrderId.IndexOf('-') + 1)..]}";
                return order;
            }

            order.State = elapsed >= startedAfter ? CertificateOrderState.InProgress : CertificateOrderState.Received;
            order.UpdateTime = ContractMapping.Time(elapsed >= startedAfter ? CreateTime + startedAfter : CreateTime);
            order.ExpectedReadyTime = ContractMapping.Time(CreateTime + readyAfter);
            return order;
        }
    }
}
