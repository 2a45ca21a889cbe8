using System.Globalization;
using System.Text.RegularExpressions;
using ProviderGateway.DemoProviders.Eligibility;
using ProviderGateway.DemoProviders.Paging;

namespace ProviderGateway.DemoProviders.Data;

/// <summary>
/// What one demo provider knows: its part of the seed (accounts, parcels or benefits, indexed for the
/// contract's queries) plus the writes it accepted since it started (meter readings, certificate orders,
/// applications). Seed data is turned into contract messages once and shared read-only; writes replace
/// messages rather than change them, so reads never need a lock.
/// </summary>
/// <remarks>
/// The store enforces the contract's rules about resources (NOT_FOUND, FAILED_PRECONDITION,
/// ALREADY_EXISTS for a reused request_id); the gRPC services check the request's fields before calling it.
/// </remarks>
public sealed partial class DemoDataStore
{
    private readonly string _instanceTag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next()))[..4];
    private long _sequence;

    /// <summary>Builds the store of the provider <paramref name="providerId"/> from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">When the seed has no such provider.</exception>
    public DemoDataStore(DemoSeed seed, string providerId, DemoDataStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(seed);
        Seed = seed;
        Provider = seed.FindProvider(providerId) ?? throw new ArgumentException(
            $"The seed has no provider '{providerId}'. Valid ids: {string.Join(", ", seed.Providers.Select(p => p.Id))}.", nameof(providerId));
        Options = options ?? new DemoDataStoreOptions();
        CadastralNumberPattern = Options.CompileCadastralNumberPattern();
        PageTokens = new PageTokens(Provider.Id);
        Eligibility = new EligibilityRules(seed, Provider);
        (_accounts, _accountsByIin) = IndexAccounts();
        (_parcels, _parcelsByIin) = IndexParcels();
        (_benefits, _benefitsByIin) = IndexBenefits();
    }

    /// <summary>The whole seed; citizens are shared facts every provider may look up.</summary>
    public DemoSeed Seed { get; }

    /// <summary>The provider this store answers for.</summary>
    public DemoSeedProvider Provider { get; }

    /// <summary>The store's behaviour settings.</summary>
    public DemoDataStoreOptions Options { get; }

    /// <summary>How often each write request_id was received and applied, across the store's write methods.</summary>
    public DemoWriteLedger Writes { get; } = new();

    /// <summary>The current day in Kazakhstan, by <see cref="DemoDataStoreOptions.TimeProvider"/>.</summary>
    public DateOnly Today => KazakhstanTime.Today(Options.TimeProvider);

    internal Regex CadastralNumberPattern { get; }

    internal PageTokens PageTokens { get; }

    private EligibilityRules Eligibility { get; }

    private DateTimeOffset Now => Options.TimeProvider.GetUtcNow();

    /// <summary>A new identifier for an accepted write: prefix, day, instance and sequence, e.g. "CO-20261127-3F2A-000001".</summary>
    private string NextId(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Today:yyyyMMdd}-{_instanceTag}-{Interlocked.Increment(ref _sequence):D6}");

    private static IReadOnlyList<T> Empty<T>() => [];
}
