using System.Text.Json;
using System.Text.Json.Serialization;
using FrontDeskDomain = ProviderGateway.Contracts.FrontDesk.V1.Domain;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// The contract a provider implements, by its configuration name: "utilities", "land_registry" or
/// "social_services" (the values of <c>Gateway:Providers:N:Domain</c>). It compares like an enum
/// (<c>provider.Domain == DemoDomain.Utilities</c>) and converts to its name wherever a string is
/// expected, so seed, configuration and code spell a domain the same way.
/// </summary>
[JsonConverter(typeof(DemoDomainJsonConverter))]
public readonly record struct DemoDomain
{
    private readonly string? _name;

    private DemoDomain(string name, FrontDeskDomain contract)
    {
        _name = name;
        Contract = contract;
    }

    /// <summary>Utility companies: electricity, water, heating, gas, waste.</summary>
    public static DemoDomain Utilities { get; } = new("utilities", FrontDeskDomain.Utilities);

    /// <summary>The land registry.</summary>
    public static DemoDomain LandRegistry { get; } = new("land_registry", FrontDeskDomain.LandRegistry);

    /// <summary>Social services: social insurance, pensions, targeted assistance.</summary>
    public static DemoDomain SocialServices { get; } = new("social_services", FrontDeskDomain.SocialServices);

    /// <summary>Every domain, in the order they are documented.</summary>
    public static IReadOnlyList<DemoDomain> All { get; } = [Utilities, LandRegistry, SocialServices];

    /// <summary>The configuration name, for example "land_registry".</summary>
    public string Name => _name ?? "";

    /// <summary>The same domain as the front-desk contract's enum.</summary>
    public FrontDeskDomain Contract { get; }

    /// <summary>The domain's configuration name.</summary>
    public static implicit operator string(DemoDomain domain) => domain.Name;

    /// <summary>The domain named <paramref name="name"/> (exactly, lower case), or <c>null</c>.</summary>
    public static DemoDomain? Parse(string? name) => All.Cast<DemoDomain?>().FirstOrDefault(d => d!.Value.Name == name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Reads and writes a <see cref="DemoDomain"/> as its name.</summary>
internal sealed class DemoDomainJsonConverter : JsonConverter<DemoDomain>
{
    public override DemoDomain Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return DemoDomain.Parse(name)
            ?? throw new JsonException($"A provider domain is one of {string.Join(", ", DemoDomain.All.Select(d => $"\"{d.Name}\""))}.");
    }

    public override void Write(Utf8JsonWriter writer, DemoDomain value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
