using System.Globalization;
using System.Text.RegularExpressions;
using ProviderGateway.Bench.Processes;

namespace ProviderGateway.Bench.Load;

/// <summary>Calls a server answered in a window: with grpc-status 0, and otherwise.</summary>
/// <param name="Ok">Answered OK.</param>
/// <param name="Failures">Answered with another status, by status and counter (calls the client itself cancelled are not counted).</param>
public readonly record struct CallCount(long Ok, IReadOnlyDictionary<string, long> Failures)
{
    /// <summary>All the failures.</summary>
    public long Failed => Failures.Values.Sum();

    /// <summary>The calls between two readings.</summary>
    public static CallCount operator -(CallCount after, CallCount before) => new(
        after.Ok - before.Ok,
        after.Failures.Select(f => (f.Key, Count: f.Value - before.Failures.GetValueOrDefault(f.Key))).Where(f => f.Count != 0).ToDictionary(f => f.Key, f => f.Count));
}

/// <summary>
/// The server's own count of the calls it answered, read before and after a load run. h2load sees HTTP statuses
/// only, and a gRPC error is HTTP 200 with a <c>grpc-status</c> trailer: this is how every h2load run proves
/// that every response had grpc-status 0 (<see cref="Verify"/>).
/// </summary>
public abstract partial class AnsweredCalls
{
    /// <summary>What the server has answered so far.</summary>
    public abstract Task<CallCount> ReadAsync();

    /// <summary>
    /// Throws unless no call failed in the window and at least <paramref name="succeeded"/> were answered OK (the
    /// server also answers the calls still in flight when h2load stops counting).
    /// </summary>
    public static void Verify(string scenario, CallCount window, long succeeded)
    {
        if (window.Failed > 0 || window.Ok < succeeded)
        {
            throw new InvalidOperationException(
                $"{scenario}: h2load counted {succeeded:N0} HTTP 200s, the server answered {window.Ok:N0} calls OK and {window.Failed:N0} with another grpc-status"
                + $" ({string.Join(", ", window.Failures.Select(f => $"{f.Key}: {f.Value:N0}"))}).");
        }
    }

    /// <summary>
    /// The gateway's Prometheus scrape (on its management endpoint): <c>providergateway_desk_calls_total</c> (every front-desk call by the status its
    /// desk received, refusals included) and <c>providergateway_provider_calls_total</c> (a fan-out answers OK even when
    /// a provider failed: those failures count too).
    /// </summary>
    public static AnsweredCalls Gateway(Uri management) => new GatewayCalls(new Uri(management, "/metrics"));

    /// <summary>A demo provider's count of calls received (<c>/demo/calls</c>); it answers every benchmark request OK.</summary>
    public static AnsweredCalls DemoProvider(Uri provider, string method) => new DemoProviderCalls(provider, method);

    /// <summary>The floor's own count (tools/bench/ProviderGateway.Bench.Bare, <c>GET /calls</c>: "ok failed").</summary>
    public static AnsweredCalls Bare(Uri calls) => new BareCalls(calls);

    private sealed class BareCalls(Uri calls) : AnsweredCalls
    {
        private static readonly HttpClient Http = new();

        public override async Task<CallCount> ReadAsync()
        {
            var counts = (await Http.GetStringAsync(calls)).Split(' ');
            var failed = long.Parse(counts[1], CultureInfo.InvariantCulture);
            return new CallCount(long.Parse(counts[0], CultureInfo.InvariantCulture), failed > 0 ? new Dictionary<string, long> { ["failed"] = failed } : new Dictionary<string, long>());
        }
    }

    private sealed partial class GatewayCalls(Uri metrics) : AnsweredCalls
    {
        private static readonly HttpClient Http = new();

        public override async Task<CallCount> ReadAsync()
        {
            var scrape = await Http.GetStringAsync(metrics);
            long ok = 0;
            var failures = new Dictionary<string, long>();
            foreach (Match series in Series().Matches(scrape))
            {
                var code = series.Groups["code"].Value;
                var value = (long)double.Parse(series.Groups["value"].Value, CultureInfo.InvariantCulture);
                if (series.Groups["name"].Value == "desk" && code == "OK")
                {
                    ok += value;
                }
                else if (code is not "OK" and not "CANCELLED")
                {
                    var key = $"{series.Groups["name"].Value} call {code}";
                    failures[key] = failures.GetValueOrDefault(key) + value;
                }
            }

            return new CallCount(ok, failures);
        }

        [GeneratedRegex(@"^providergateway_(?<name>desk|provider)_calls_total\{[^}]*code=""(?<code>[A-Z_]+)""[^}]*\} (?<value>[0-9.e+]+)", RegexOptions.Multiline)]
        private static partial Regex Series();
    }

    private sealed class DemoProviderCalls(Uri provider, string method) : AnsweredCalls
    {
        public override async Task<CallCount> ReadAsync() =>
            new((await DemoCalls.PerMethodAsync(provider)).GetValueOrDefault(method), new Dictionary<string, long>());
    }
}
