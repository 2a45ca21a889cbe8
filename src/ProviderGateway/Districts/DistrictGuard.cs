using Grpc.Core;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Routing;
using Land = ProviderGateway.Contracts.LandRegistry.V1;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Districts;

/// <summary>
/// District limits applied to what comes back, not only to whom is asked. A provider may serve a client's district and
/// others (a nationwide land registry, a utility of a whole region), so for a client limited to some districts:
/// <list type="bullet">
/// <item>accounts and parcels whose own KATO code lies outside its districts are removed from every answer, silently
/// (a page may then hold fewer items than asked; paging goes on over what remains);</item>
/// <item>what has no KATO code of its own follows the account or parcel it belongs to: a balance, invoice, payment or
/// meter reading of an account outside the client's districts, a parcel outside them, or a certificate order about
/// such a parcel is refused PERMISSION_DENIED, the same whether the account or parcel exists or not.</item>
/// </list>
/// Social-services data carries no address: for it a district limit governs only which providers are asked.
/// Clients that may see every district pay nothing for this.
/// </summary>
public sealed class DistrictGuard(ProviderRouter router, ProviderCallPipeline pipeline)
{
    // The accounts of one citizen at one provider are read in pages of this size, at most MaxAccountPages of them, to
    // place an account: far beyond any household, and bounded so that a provider cannot keep the gateway paging.
    private const int AccountPageSize = 100;
    private const int MaxAccountPages = 10;

    /// <summary>The accounts the desk's client may see.</summary>
    public IEnumerable<Util.Account> Visible(DeskContext desk, IEnumerable<Util.Account> accounts) =>
        ScopeOf(desk) is { IsLimited: true } scope ? accounts.Where(a => scope.Contains(a.Address?.KatoCode)) : accounts;

    /// <summary>The parcels the desk's client may see.</summary>
    public IEnumerable<Land.Parcel> Visible(DeskContext desk, IEnumerable<Land.Parcel> parcels) =>
        ScopeOf(desk) is { IsLimited: true } scope ? parcels.Where(p => scope.Contains(p.Address?.KatoCode)) : parcels;

    /// <summary>The parcel, when the desk's client may see it.</summary>
    /// <exception cref="RpcException">PERMISSION_DENIED when it lies outside the client's districts.</exception>
    public Land.Parcel EnsureVisible(DeskContext desk, Land.Parcel parcel) =>
        ScopeOf(desk) is { IsLimited: true } scope && !scope.Contains(parcel.Address?.KatoCode) ? throw NotVisible(desk, "parcel") : parcel;

    /// <summary>
    /// Refuses a call about an account the desk's client may not see: one of the citizen's accounts at the provider the
    /// call goes to, placed inside the client's districts (read through the cache, like any account listing).
    /// </summary>
    /// <exception cref="RpcException">PERMISSION_DENIED; or the provider's failure when the accounts cannot be read.</exception>
    public async Task EnsureAccountVisibleAsync(string? providerId, string? katoCode, string iin, string accountNumber, DeskContext desk)
    {
        if (ScopeOf(desk) is not { IsLimited: true } scope)
        {
            return;
        }

        var provider = router.Single(Domain.Utilities, providerId, katoCode);
        var pageToken = "";
        for (var page = 0; page < MaxAccountPages; page++)
        {
            var outcome = await pipeline.CallAsync(
                provider,
                ProviderOperations.Utilities.ListAccounts,
                new Util.ListAccountsRequest { Iin = iin, PageSize = AccountPageSize, PageToken = pageToken },
                desk).ConfigureAwait(false);
            var accounts = outcome.ResponseOrThrow();
            if (accounts.Accounts.FirstOrDefault(a => a.AccountNumber == accountNumber) is { } account)
            {
                if (scope.Contains(account.Address?.KatoCode))
                {
                    return;
                }

                break;
            }

            pageToken = accounts.NextPageToken;
            if (pageToken.Length == 0)
            {
                break;
            }
        }

        throw NotVisible(desk, "account");
    }

    /// <summary>Refuses a call about a parcel the desk's client may not see (read through the cache, like GetParcel).</summary>
    /// <exception cref="RpcException">PERMISSION_DENIED; or the provider's failure when the parcel cannot be read.</exception>
    public async Task EnsureParcelVisibleAsync(string? providerId, string? katoCode, string cadastralNumber, DeskContext desk)
    {
        if (ScopeOf(desk) is not { IsLimited: true })
        {
            return;
        }

        var provider = router.Single(Domain.LandRegistry, providerId, katoCode);
        var outcome = await pipeline.CallAsync(provider, ProviderOperations.LandRegistry.GetParcel, new Land.GetParcelRequest { CadastralNumber = cadastralNumber }, desk).ConfigureAwait(false);
        if (outcome.Response is { Parcel: { } parcel })
        {
            EnsureVisible(desk, parcel);
            return;
        }

        // A parcel that does not exist is refused like one outside the districts: the answer says nothing about existence.
        throw outcome.Status.Code == (int)StatusCode.NotFound ? NotVisible(desk, "parcel") : outcome.Status.ToRpcException();
    }

    private static Security.DistrictScope? ScopeOf(DeskContext desk) => desk.Caller?.Districts;

    private static RpcException NotVisible(DeskContext desk, string what)
    {
        var clientId = desk.Caller?.ClientId ?? "";
        var districts = string.Join(",", desk.Caller?.Districts.Prefixes ?? []);
        return RpcErrors.Build(
            StatusCode.PermissionDenied,
            $"Client '{clientId}' may see only {what}s in its districts ({districts}); this {what} is not one of them.",
            RpcErrors.ErrorInfo(ErrorReasons.DistrictNotPermitted, new() { ["client_id"] = clientId, ["districts"] = districts }));
    }
}
