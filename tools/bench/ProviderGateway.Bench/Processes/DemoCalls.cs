using System.Net;
using System.Text.Json;

namespace ProviderGateway.Bench.Processes;

/// <summary>A demo provider's own count of the calls it received (<c>GET /demo/calls</c>, on its h2c listener).</summary>
public static class DemoCalls
{
    /// <summary>Calls received so far, per method (<c>GetAccountBalance</c>, <c>CreateMeterReading</c>, ...).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> PerMethodAsync(Uri provider)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var calls = JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/calls")));
        return calls.RootElement.GetProperty("methods").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetInt64());
    }

    /// <summary>The calls of each method between two counts (methods never called are left out).</summary>
    public static IReadOnlyDictionary<string, long> Since(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.Select(m => (m.Key, Calls: m.Value - before.GetValueOrDefault(m.Key)))
            .Where(m => m.Calls != 0)
            .ToDictionary(m => m.Key, m => m.Calls);
}
