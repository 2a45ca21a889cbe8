using Grpc.Core;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Tests.DemoProviders;

public sealed class LandRegistryDemoServiceTests : IAsyncLifetime
{
    private const string ProviderId = "land-registry";

    // The citizen holding rights on the most parcels (three), so that paging shows.
    private static readonly IGrouping<string, DemoSeedParcel> Holder = DemoProviderHarness.Seed.Parcels
        .SelectMany(p => p.RightsHolders.Select(h => (h.Iin, Parcel: p)))
        .GroupBy(x => x.Iin, x => x.Parcel)
        .OrderByDescending(g => g.Count())
        .First();

    private DemoProviderHarness _provider = null!;
    private LandRegistryService.LandRegistryServiceClient _client = null!;

    public async Task InitializeAsync() => await StartAsync(TimeSpan.FromSeconds(30));

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task ListParcels_rejects_a_malformed_iin_with_a_bad_request_naming_iin()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ListParcelsAsync(new ListParcelsRequest { Iin = "12345678901A" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "iin" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task ListParcels_returns_an_empty_page_for_an_unknown_iin()
    {
        var response = await _client.ListParcelsAsync(new ListParcelsRequest { Iin = DemoProviderHarness.UnknownIin });

        Assert.Empty(response.Parcels);
        Assert.Equal("", response.NextPageToken);
    }

    [Fact]
    public async Task ListParcels_pages_without_overlap_or_gap()
    {
        var paged = new List<string>();
        var token = "";

        do
        {
            var page = await _client.ListParcelsAsync(new ListParcelsRequest { Iin = Holder.Key, PageSize = 2, PageToken = token });
            paged.AddRange(page.Parcels.Select(p => p.CadastralNumber));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.True(Holder.Count() >= 3);
        Assert.Equal(Holder.Select(p => p.CadastralNumber).Order(StringComparer.Ordinal), paged);
    }

    [Fact]
    public async Task GetParcel_shows_co_owners_with_shares_and_encumbrances()
    {
        var seeded = DemoProviderHarness.Seed.Parcels.First(p => p.RightsHolders.Count > 1 && p.Encumbrances.Count > 0);

        var parcel = (await _client.GetParcelAsync(new GetParcelRequest { CadastralNumber = seeded.CadastralNumber })).Parcel;

        Assert.Equal(seeded.RightsHolders.Select(h => h.Iin), parcel.RightsHolders.Select(h => h.Iin));
        Assert.All(parcel.RightsHolders, h => Assert.Matches(@"^\S+ (\S\. ?)+$", h.DisplayName));
        Assert.Equal(1m, parcel.RightsHolders.Sum(h => (decimal)h.ShareNumerator / h.ShareDenominator), 4);
        Assert.Equal(seeded.Encumbrances.Count, parcel.Encumbrances.Count);
        Assert.Equal(seeded.Address.KatoCode, parcel.Address.KatoCode);
    }

    [Fact]
    public async Task GetParcel_of_an_unknown_cadastral_number_is_not_found_with_resource_info()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.GetParcelAsync(new GetParcelRequest { CadastralNumber = "99-999-999-999" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var resource = RpcDetails.ResourceInfo(e);
        Assert.Equal("landregistry.v1.Parcel", resource.ResourceType);
        Assert.Equal("99-999-999-999", resource.ResourceName);
    }

    [Theory]
    [InlineData("03047155123")]
    [InlineData("03-047-155")]
    [InlineData("")]
    public async Task GetParcel_rejects_a_malformed_cadastral_number(string cadastralNumber)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.GetParcelAsync(new GetParcelRequest { CadastralNumber = cadastralNumber }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "cadastral_number" }, RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task CreateCertificateOrder_is_READY_at_once_when_CertificateReadyAfter_is_zero()
    {
        await _provider.DisposeAsync();
        await StartAsync(TimeSpan.Zero);

        var order = (await _client.CreateCertificateOrderAsync(OrderFor(Holder.First()))).Order;

        Assert.Equal(CertificateOrderState.Ready, order.State);
        Assert.NotEmpty(order.DocumentNumber);
        Assert.Null(order.ExpectedReadyTime);
    }

    [Fact]
    public async Task CertificateOrder_goes_from_RECEIVED_to_IN_PROGRESS_to_READY_as_time_passes()
    {
        var created = (await _client.CreateCertificateOrderAsync(OrderFor(Holder.First()))).Order;
        var get = new GetCertificateOrderRequest { Iin = Holder.Key, OrderId = created.OrderId };

        _provider.Time.Advance(TimeSpan.FromSeconds(11));
        var working = (await _client.GetCertificateOrderAsync(get)).Order;
        _provider.Time.Advance(TimeSpan.FromSeconds(20));
        var ready = (await _client.GetCertificateOrderAsync(get)).Order;

        Assert.Equal(CertificateOrderState.Received, created.State);
        Assert.Equal(created.CreateTime.ToDateTimeOffset().AddSeconds(30), created.ExpectedReadyTime.ToDateTimeOffset());
        Assert.Equal(CertificateOrderState.InProgress, working.State);
        Assert.Equal("", working.DocumentNumber);
        Assert.Equal(CertificateOrderState.Ready, ready.State);
        Assert.NotEmpty(ready.DocumentNumber);
        Assert.Equal(created.CreateTime.ToDateTimeOffset().AddSeconds(30), ready.UpdateTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task CreateCertificateOrder_is_idempotent_by_request_id()
    {
        var request = OrderFor(Holder.First());

        var first = (await _client.CreateCertificateOrderAsync(request)).Order;
        var retry = (await _client.CreateCertificateOrderAsync(request.Clone())).Order;
        var changed = request.Clone();
        changed.CertificateType = CertificateType.RightsHistory;
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateCertificateOrderAsync(changed).ResponseAsync);

        Assert.Equal(first, retry);
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", RpcDetails.ErrorInfo(e).Reason);
    }

    [Fact]
    public async Task CreateCertificateOrder_for_a_parcel_the_citizen_holds_no_right_on_is_not_found()
    {
        var foreign = DemoProviderHarness.Seed.Parcels.First(p => p.RightsHolders.All(h => h.Iin != Holder.Key));
        var request = OrderFor(foreign);

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateCertificateOrderAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("landregistry.v1.Parcel", RpcDetails.ResourceInfo(e).ResourceType);
    }

    [Fact]
    public async Task CreateCertificateOrder_of_real_estate_ownership_takes_no_cadastral_number()
    {
        var request = OrderFor(Holder.First());
        request.CertificateType = CertificateType.RealEstateOwnership;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateCertificateOrderAsync(request).ResponseAsync);
        request.CadastralNumber = "";
        var order = (await _client.CreateCertificateOrderAsync(request)).Order;

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(new[] { "cadastral_number" }, RpcDetails.ViolatedFields(e));
        Assert.Equal(CertificateType.RealEstateOwnership, order.CertificateType);
    }

    [Fact]
    public async Task CreateCertificateOrder_without_a_certificate_type_is_invalid()
    {
        var request = OrderFor(Holder.First());
        request.CertificateType = CertificateType.Unspecified;

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateCertificateOrderAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("certificate_type", RpcDetails.ViolatedFields(e));
    }

    [Fact]
    public async Task GetCertificateOrder_of_another_citizen_is_not_found_with_resource_info()
    {
        var order = (await _client.CreateCertificateOrderAsync(OrderFor(Holder.First()))).Order;

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetCertificateOrderAsync(new GetCertificateOrderRequest { Iin = DemoProviderHarness.UnknownIin, OrderId = order.OrderId }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var resource = RpcDetails.ResourceInfo(e);
        Assert.Equal("landregistry.v1.CertificateOrder", resource.ResourceType);
        Assert.Equal(order.OrderId, resource.ResourceName);
    }

    private async Task StartAsync(TimeSpan certificateReadyAfter)
    {
        _provider = await DemoProviderHarness.StartAsync(ProviderId, o => o.CertificateReadyAfter = certificateReadyAfter);
        _client = new LandRegistryService.LandRegistryServiceClient(_provider.Channel);
    }

    private static CreateCertificateOrderRequest OrderFor(DemoSeedParcel parcel, string? iin = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Iin = iin ?? Holder.Key,
        CertificateType = CertificateType.RightsAndEncumbrances,
        CadastralNumber = parcel.CadastralNumber,
    };
}
