using System.Diagnostics;
using Grpc.Core;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Checks;

namespace ProviderGateway.Conformance.Running;

/// <summary>Runs every check of a contract against a provider, one after the other, and collects the results.</summary>
internal static class ConformanceRunner
{
    /// <summary>Longest a single check may take before it is failed (a provider that never answers).</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The ids of every check of <paramref name="domain"/>, in the order they run.</summary>
    public static IReadOnlyList<string> CheckIds(ContractDomain domain)
    {
        var options = new KitOptions { Target = new Uri("http://127.0.0.1:1"), Domain = domain, CitizenIin = KitOptions.DefaultCitizenIin(domain) };
        using var target = new ConformanceTarget(options);
        return [.. ContractSuite.For(target, options).Checks().Select(c => c.Id)];
    }

    /// <summary>Runs the checks; <paramref name="onResult"/> sees each result as soon as it is known.</summary>
    public static async Task<ConformanceReport> RunAsync(KitOptions options, Action<CheckResult>? onResult = null, CancellationToken ct = default)
    {
        using var target = new ConformanceTarget(options);
        var results = new List<CheckResult>();
        var total = Stopwatch.StartNew();
        foreach (var check in ContractSuite.For(target, options).Checks())
        {
            ct.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var failure = await RunOneAsync(check, ct);
            var result = new CheckResult(check, failure is null, failure ?? "", watch.Elapsed);
            results.Add(result);
            onResult?.Invoke(result);
        }

        return new ConformanceReport(options.Domain, options.Target, results, total.Elapsed);
    }

    /// <summary>Runs one check; returns why it failed, or <c>null</c>.</summary>
    private static async Task<string?> RunOneAsync(ConformanceCheck check, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check.Run(timeout.Token);
            return null;
        }
        catch (ConformanceFailure e)
        {
            return e.Message;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return $"no result within {CheckTimeout.TotalSeconds:0} s: the provider stopped answering";
        }
        catch (RpcException e)
        {
            return $"a call the check needs failed with {Expect.Describe(e.StatusCode)} \"{e.Status.Detail}\"";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
