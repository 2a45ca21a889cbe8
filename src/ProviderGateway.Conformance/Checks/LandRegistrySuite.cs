using Grpc.Core;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;
using ProviderGateway.Contracts.LandRegistry.V1;

namespace ProviderGateway.Conformance.Checks;

/// <summary>The checks of <c>providergateway.landregistry.v1.LandRegistryService</c>.</summary>
internal sealed class LandRegistrySuite : ContractSuite
{
    private const string ParcelType = "landregistry.v1.Parcel";
    private const string OrderType = "landregistry.v1.CertificateOrder";
    private const string MissingOrder = "NO-SUCH-ORDER-0";

    private readonly LandRegistryService.LandRegistryServiceClient _client;
    private readonly Func<CancellationToken, Task<IReadOnlyList<Parcel>>> _parcels;
    private readonly Func<CancellationToken, Task<CertificateOrder>> _order;
    private readonly Write<CreateCertificateOrderRequest, CreateCertificateOrderResponse> _orders;

    public LandRegistrySuite(ConformanceTarget target, KitOptions options)
        : base(target, options)
    {
        _client = new LandRegistryService.LandRegistryServiceClient(target.Channel);
        _parcels = Fixture("the test citizen's parcels", LoadParcelsAsync);
        _order = Fixture("a certificate order of the test citizen", async ct =>
            (await _client.CreateCertificateOrderAsync(await NewOrderAsync(ct), Target.Call(ct))).Order
            ?? throw new ConformanceFailure("CreateCertificateOrder returned no order"));
        _orders = new(
            "CreateCertificateOrder",
            "order",
            NewOrderAsync,
            r => r.CertificateType = CertificateType.RightsHistory,
            (r, call) => _client.CreateCertificateOrderAsync(r, call).ResponseAsync,
            r => r.Order?.OrderId);
    }

    public override string ServiceName => LandRegistryService.Descriptor.FullName;

    protected override Task ProbeAsync(CallOptions call) =>
        _client.ListParcelsAsync(new ListParcelsRequest { Iin = Options.CitizenIin }, call).ResponseAsync;

    protected override IEnumerable<ConformanceCheck> WriteChecks() => IdempotencyChecks(_orders);

    protected override IEnumerable<ConformanceCheck> ValidationChecks()
    {
        const string BadIinSent = "an IIN with a wrong check digit";
        yield return Check("validation.iin.ListParcels", "ListParcels refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListParcelsAsync(new() { Iin = BadIin }, Target.Call(ct)).ResponseAsync, "iin", BadIinSent));
        yield return Check("validation.iin.CreateCertificateOrder", "CreateCertificateOrder refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            ct => RefusedAsync(_orders, r => r.Iin = BadIin, "iin", BadIinSent, ct));
        yield return Check("validation.iin.GetCertificateOrder", "GetCertificateOrder refuses a malformed IIN with INVALID_ARGUMENT and a BadRequest violation of 'iin'.",
            async ct => await Expect.InvalidArgumentAsync(async () => await _client.GetCertificateOrderAsync(new() { Iin = BadIin, OrderId = (await _order(ct)).OrderId }, Target.Call(ct)), "iin", BadIinSent));
        yield return Check("validation.page_size.ListParcels", "ListParcels refuses a negative page_size with INVALID_ARGUMENT and a BadRequest violation of 'page_size'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListParcelsAsync(new() { Iin = Options.CitizenIin, PageSize = -1 }, Target.Call(ct)).ResponseAsync, "page_size", "page_size -1"));
        yield return Check("validation.page_token.ListParcels", "ListParcels refuses a page_token it did not issue with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            ct => Expect.InvalidArgumentAsync(() => _client.ListParcelsAsync(new() { Iin = Options.CitizenIin, PageToken = ForgedPageToken }, Target.Call(ct)).ResponseAsync, "page_token", "a page_token the provider never issued"));
        yield return ForeignPageTokenCheck("ListParcels",
            async ct => (await _client.ListParcelsAsync(new() { Iin = Options.CitizenIin, PageSize = 1 }, Target.Call(ct))).NextPageToken,
            (token, call) => _client.ListParcelsAsync(new() { Iin = Options.OtherCitizenIin, PageSize = 1, PageToken = token }, call).ResponseAsync);
        yield return Check("validation.request_id.CreateCertificateOrder", "CreateCertificateOrder without request_id, or with one that is not a UUID, is INVALID_ARGUMENT with a BadRequest violation of 'request_id'.",
            async ct =>
            {
                await RefusedAsync(_orders, r => r.RequestId = "", "request_id", "a write without request_id", ct);
                await RefusedAsync(_orders, r => r.RequestId = "order-1", "request_id", "a write whose request_id 'order-1' is not a UUID", ct);
            });
        yield return Check("validation.certificate_type.CreateCertificateOrder", "CreateCertificateOrder without a certificate type (UNSPECIFIED) is INVALID_ARGUMENT with a BadRequest violation of 'certificate_type'.",
            ct => RefusedAsync(_orders, r => r.CertificateType = CertificateType.Unspecified, "certificate_type", "an order with certificate_type UNSPECIFIED", ct));
        yield return Check("validation.cadastral_number.CreateCertificateOrder",
            "CreateCertificateOrder of a certificate about one parcel without its cadastral number, or of the country-wide ownership certificate with one, is INVALID_ARGUMENT with a BadRequest violation of 'cadastral_number'.",
            async ct =>
            {
                await RefusedAsync(_orders, r => r.CadastralNumber = "", "cadastral_number", "a certificate of rights and encumbrances without cadastral_number", ct);
                await RefusedAsync(_orders, r => r.CertificateType = CertificateType.RealEstateOwnership, "cadastral_number",
                    "a certificate of real estate ownership (country-wide) with a cadastral_number", ct);
            });
    }

    protected override IEnumerable<ConformanceCheck> FormatChecks()
    {
        const string MalformedCadastral = "12-345";
        yield return FormatCheck("GetParcel", "cadastral_number", MalformedCadastral,
            (number, call) => _client.GetParcelAsync(new() { CadastralNumber = number }, call).ResponseAsync);
        yield return FormatCheck("CreateCertificateOrder", "cadastral_number", MalformedCadastral,
            async (number, call) => await _orders.SendChangedAsync(r => r.CadastralNumber = number, call));
        yield return FormatCheck("GetCertificateOrder", "order_id", "CO 2024/1",
            (order, call) => _client.GetCertificateOrderAsync(new() { Iin = Options.CitizenIin, OrderId = order }, call).ResponseAsync);
    }

    protected override IEnumerable<ConformanceCheck> NotFoundChecks()
    {
        const string Unregistered = "a cadastral number registered nowhere";
        yield return NotFoundCheck("GetParcel", Unregistered, ParcelType, Options.MissingCadastralNumber,
            call => _client.GetParcelAsync(new() { CadastralNumber = Options.MissingCadastralNumber }, call).ResponseAsync);
        yield return NotFoundCheck("CreateCertificateOrder", Unregistered, ParcelType, Options.MissingCadastralNumber,
            async call => await _orders.SendChangedAsync(r => r.CadastralNumber = Options.MissingCadastralNumber, call));
        yield return NotFoundCheck("GetCertificateOrder", "an order id the provider never issued", OrderType, MissingOrder,
            call => _client.GetCertificateOrderAsync(new() { Iin = Options.CitizenIin, OrderId = MissingOrder }, call).ResponseAsync);
    }

    protected override IEnumerable<ConformanceCheck> OtherCitizenChecks()
    {
        yield return OtherCitizenCheck("CreateCertificateOrder", "parcel", ParcelType,
            async ct => (await _parcels(ct))[0].CadastralNumber,
            async (parcel, call) => await _orders.SendChangedAsync(
                r =>
                {
                    r.Iin = Options.OtherCitizenIin;
                    r.CadastralNumber = parcel;
                },
                call));
        yield return OtherCitizenCheck("GetCertificateOrder", "certificate order", OrderType,
            async ct => (await _order(ct)).OrderId,
            (order, call) => _client.GetCertificateOrderAsync(new() { Iin = Options.OtherCitizenIin, OrderId = order }, call).ResponseAsync);
    }

    protected override IEnumerable<ConformanceCheck> UnknownCitizenAndPagingChecks()
    {
        yield return Check("unknown_citizen.ListParcels", "ListParcels of a valid IIN the provider does not know is an empty last page, not an error.",
            async ct =>
            {
                var response = await _client.ListParcelsAsync(new() { Iin = Options.UnknownIin }, Target.Call(ct));
                Expect.That(response.Parcels.Count == 0 && response.NextPageToken.Length == 0,
                    $"ListParcels of an unknown citizen returned {response.Parcels.Count} parcel(s) and next_page_token '{response.NextPageToken}'; expected an empty last page");
            });

        yield return Check("paging.ListParcels", "ListParcels pages without overlap or gap; page_size is a bound, 0 the default, above 100 treated as 100.",
            ct => PagingCheck.CheckAsync("ListParcels", async (size, token) =>
            {
                var page = await _client.ListParcelsAsync(new() { Iin = Options.CitizenIin, PageSize = size, PageToken = token }, Target.Call(ct));
                return new Page([.. page.Parcels.Select(p => p.CadastralNumber)], page.NextPageToken);
            }));
    }

    protected override IEnumerable<ConformanceCheck> DataChecks()
    {
        yield return Check("data.ListParcels", "Parcels have a well-formed cadastral number, an area, a purpose, an address with a KATO code, rights holders with valid IINs and shares, and a registration time.",
            async ct => CheckParcels("ListParcels", "parcels", await _parcels(ct)));
        yield return Check("data.GetParcel", "GetParcel of a listed parcel returns that parcel, as well-formed as in the list.",
            async ct =>
            {
                var listed = (await _parcels(ct))[0];
                var parcel = (await _client.GetParcelAsync(new() { CadastralNumber = listed.CadastralNumber }, Target.Call(ct))).Parcel;
                Expect.That(parcel is not null, "GetParcel returned no parcel");
                Expect.That(parcel!.CadastralNumber == listed.CadastralNumber,
                    $"GetParcel('{listed.CadastralNumber}') returned the parcel '{parcel.CadastralNumber}'");
                CheckParcels("GetParcel", "parcel", [parcel]);
            });
        yield return Check("data.GetCertificateOrder", "A new order has an id, the type and parcel asked for, a state and creation time, and GetCertificateOrder finds it.",
            async ct =>
            {
                var order = await _order(ct);
                var problems = new DataProblems();
                CheckOrder(problems, "order", order);
                problems.ThrowIfAny("CreateCertificateOrder");
                var found = (await _client.GetCertificateOrderAsync(new() { Iin = Options.CitizenIin, OrderId = order.OrderId }, Target.Call(ct))).Order;
                Expect.That(found?.OrderId == order.OrderId, $"GetCertificateOrder('{order.OrderId}') did not return that order");
                Expect.That(found!.CertificateType == order.CertificateType && found.CadastralNumber == order.CadastralNumber && Equals(found.CreateTime, order.CreateTime),
                    "GetCertificateOrder returned an order whose type, parcel or creation time differ from those CreateCertificateOrder returned");
                CheckOrder(problems, "order", found);
                problems.ThrowIfAny("GetCertificateOrder");
            });
    }

    private async Task<IReadOnlyList<Parcel>> LoadParcelsAsync(CancellationToken ct)
    {
        var parcels = (await _client.ListParcelsAsync(new() { Iin = Options.CitizenIin, PageSize = 100 }, Target.Call(ct))).Parcels;
        Expect.That(parcels.Count > 0, "the provider lists no parcel for the test citizen; pass --citizen-iin of a test citizen who holds a registered right");
        return parcels;
    }

    /// <summary>A valid new order: a certificate of rights and encumbrances on the test citizen's first parcel.</summary>
    private async Task<CreateCertificateOrderRequest> NewOrderAsync(CancellationToken ct) => new()
    {
        RequestId = NewRequestId(),
        Iin = Options.CitizenIin,
        CertificateType = CertificateType.RightsAndEncumbrances,
        CadastralNumber = (await _parcels(ct))[0].CadastralNumber,
    };

    private void CheckParcels(string method, string name, IReadOnlyList<Parcel> parcels)
    {
        var problems = new DataProblems();
        for (var i = 0; i < parcels.Count; i++)
        {
            var parcel = parcels[i];
            var path = parcels.Count == 1 && name == "parcel" ? name : $"{name}[{i}]";
            problems.Cadastral(path + ".cadastral_number", parcel.CadastralNumber, Options.CadastralPattern);
            if (parcel.AreaSquareMetres <= 0)
            {
                problems.Add(path + ".area_square_metres", $"is {parcel.AreaSquareMetres}; an area is positive");
            }

            problems.Enum(path + ".purpose", parcel.Purpose);
            problems.Address(path + ".address", parcel.Address);
            problems.Timestamp(path + ".registration_time", parcel.RegistrationTime);
            if (parcel.RightsHolders.Count == 0)
            {
                problems.Add(path + ".rights_holders", "is empty; a registered parcel has at least one rights holder");
            }

            for (var h = 0; h < parcel.RightsHolders.Count; h++)
            {
                var holder = parcel.RightsHolders[h];
                var holderPath = $"{path}.rights_holders[{h}]";
                problems.Iin(holderPath + ".iin", holder.Iin);
                problems.Enum(holderPath + ".right_type", holder.RightType);
                if (holder.ShareDenominator <= 0 || holder.ShareNumerator <= 0 || holder.ShareNumerator > holder.ShareDenominator)
                {
                    problems.Add(holderPath, $"has the share {holder.ShareNumerator}/{holder.ShareDenominator}; a share is a fraction in (0, 1]");
                }

                problems.Date(holderPath + ".registration_date", holder.RegistrationDate);
            }

            for (var e = 0; e < parcel.Encumbrances.Count; e++)
            {
                problems.Enum($"{path}.encumbrances[{e}].type", parcel.Encumbrances[e].Type);
                problems.Date($"{path}.encumbrances[{e}].registration_date", parcel.Encumbrances[e].RegistrationDate);
            }
        }

        problems.ThrowIfAny(method);
    }

    private void CheckOrder(DataProblems problems, string path, CertificateOrder? order)
    {
        if (order is null)
        {
            problems.Add(path, "is not set");
            return;
        }

        problems.Required(path + ".order_id", order.OrderId);
        problems.Enum(path + ".certificate_type", order.CertificateType);
        problems.Cadastral(path + ".cadastral_number", order.CadastralNumber, Options.CadastralPattern);
        problems.Enum(path + ".state", order.State);
        problems.Timestamp(path + ".create_time", order.CreateTime);
        problems.Timestamp(path + ".update_time", order.UpdateTime);
    }
}
