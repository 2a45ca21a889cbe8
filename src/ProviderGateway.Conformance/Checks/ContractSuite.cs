using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Checks;

/// <summary>
/// The checks of one contract. Each contract's suite adds its own (validation, not found, paging,
/// data, idempotency) to the checks every provider must pass: <c>grpc.health.v1</c> and deadlines.
/// </summary>
internal abstract class ContractSuite(ConformanceTarget target, KitOptions options)
{
    /// <summary>The provider.</summary>
    protected ConformanceTarget Target { get; } = target;

    /// <summary>The kit's options: test citizen, patterns, timeouts.</summary>
    protected KitOptions Options { get; } = options;

    /// <summary>The contract's full service name, for example <c>providergateway.utilities.v1.UtilitiesService</c>.</summary>
    public abstract string ServiceName { get; }

    /// <summary>A page token no provider issued: base64url like most real tokens, so that only its content gives it away.</summary>
    protected const string ForgedPageToken = "Y29uZm9ybWFuY2Uta2l0LWZvcmdlZC10b2tlbi0w";

    /// <summary>The test citizen's IIN with a wrong check digit: always invalid.</summary>
    protected string BadIin
    {
        get
        {
            var iin = Options.CitizenIin;
            return iin[..11] + (char)('0' + ((iin[11] - '0' + 1) % 10));
        }
    }

    /// <summary>Every check of this contract, in the order they run.</summary>
    public IEnumerable<ConformanceCheck> Checks() => CommonChecks().Concat(ContractChecks());

    /// <summary>The suite for <paramref name="options"/>' domain.</summary>
    public static ContractSuite For(ConformanceTarget target, KitOptions options) => options.Domain switch
    {
        ContractDomain.Utilities => new UtilitiesSuite(target, options),
        ContractDomain.LandRegistry => new LandRegistrySuite(target, options),
        ContractDomain.SocialServices => new SocialServicesSuite(target, options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Domain, "No such contract."),
    };

    /// <summary>The contract's own checks.</summary>
    protected abstract IEnumerable<ConformanceCheck> ContractChecks();

    /// <summary>A cheap read of the test citizen's data, used to probe deadlines.</summary>
    protected abstract Task ProbeAsync(CallOptions call);

    /// <summary>A fresh idempotency key.</summary>
    protected static string NewRequestId() => Guid.NewGuid().ToString("D");

    /// <summary>Shorthand for a check.</summary>
    protected static ConformanceCheck Check(string id, string description, Func<CancellationToken, Task> run) => new(id, description, run);

    /// <summary>Loads test data once; a failure fails every check that needs it, with the reason.</summary>
    protected static Func<CancellationToken, Task<T>> Fixture<T>(string what, Func<CancellationToken, Task<T>> load)
    {
        Task<T>? loaded = null;
        return ct => loaded ??= LoadAsync(ct);

        async Task<T> LoadAsync(CancellationToken ct)
        {
            try
            {
                return await load(ct);
            }
            catch (ConformanceFailure e)
            {
                throw new ConformanceFailure($"cannot load the test data ({what}): {e.Message}");
            }
            catch (RpcException e)
            {
                throw new ConformanceFailure($"cannot load the test data ({what}): {Expect.Describe(e.StatusCode)} \"{e.Status.Detail}\"");
            }
        }
    }

    private IEnumerable<ConformanceCheck> CommonChecks()
    {
        yield return Check("health.server", "grpc.health.v1.Health/Check with service \"\" answers SERVING.",
            ct => HealthAsync("", ct));
        yield return Check("health.service", $"grpc.health.v1.Health/Check with service \"{ServiceName}\" answers SERVING.",
            ct => HealthAsync(ServiceName, ct));
        yield return Check("deadline.honoured",
            $"A call whose grpc-timeout is {Options.DeadlineProbe.TotalMilliseconds:0} ms and whose request message is held back ends with DEADLINE_EXCEEDED "
            + $"once that deadline has passed, within {(Options.DeadlineProbe + Options.DeadlineGrace).TotalMilliseconds:0} ms.",
            DeadlineAsync);
    }

    private async Task HealthAsync(string service, CancellationToken ct)
    {
        var client = new Health.HealthClient(Target.Channel);
        HealthCheckResponse response;
        try
        {
            response = await client.CheckAsync(new HealthCheckRequest { Service = service }, Target.Call(ct));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            throw new ConformanceFailure("grpc.health.v1.Health is not served (UNIMPLEMENTED); the gateway and the operators' monitoring check a provider through it.");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new ConformanceFailure($"grpc.health.v1.Health does not know the service \"{service}\" (NOT_FOUND); register it.");
        }

        Expect.That(response.Status == HealthCheckResponse.Types.ServingStatus.Serving,
            $"grpc.health.v1.Health/Check(\"{service}\") answered {response.Status}; a provider ready for traffic answers SERVING.");
    }

    /// <summary>
    /// The deadline probe. A fast provider answers any call before a short deadline, so the deadline would never be seen
    /// to matter: the kit sends the call's headers (and its grpc-timeout) but holds its request message back, as a slow
    /// network or a slow back end would delay the work. A provider that honours the deadline ends the call with
    /// DEADLINE_EXCEEDED when it passes; one that ignores it (or sits behind a proxy that strips grpc-timeout) waits on.
    /// The kit enforces no deadline of its own on the probe: it gives up only after the grace period, and says so.
    /// </summary>
    private async Task DeadlineAsync(CancellationToken ct)
    {
        var deadline = Options.DeadlineProbe;
        var limit = deadline + Options.DeadlineGrace;
        var sent = $"a call with a {deadline.TotalMilliseconds:0} ms deadline (grpc-timeout {deadline.TotalMilliseconds:0}m) whose request message the kit held back";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var watch = Stopwatch.StartNew();
        try
        {
            await ProbeAsync(Target.Probe(deadline, timeout.Token));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            // Ended by the provider; but not before the deadline, which would fail calls that had time left.
            Expect.That(watch.Elapsed >= deadline / 2,
                $"{sent}: DEADLINE_EXCEEDED came after {watch.Elapsed.TotalMilliseconds:0} ms, before the deadline had passed (grpc-timeout is in milliseconds when it ends in 'm')");
            return;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ConformanceFailure(
                $"{sent}: no answer {limit.TotalMilliseconds:0} ms after sending it. A provider must end a call with DEADLINE_EXCEEDED once its deadline "
                + "has passed, whatever it is waiting for, so that the caller's time is not wasted (is grpc-timeout honoured, and not stripped by a proxy?).");
        }
        catch (RpcException e)
        {
            throw new ConformanceFailure(
                $"{sent}: ended with {Expect.Describe(e.StatusCode)} \"{e.Status.Detail}\" after {watch.Elapsed.TotalMilliseconds:0} ms; "
                + "a call whose deadline passes before its request arrives ends with DEADLINE_EXCEEDED.");
        }

        throw new ConformanceFailure($"{sent}: answered OK although its request message never arrived.");
    }
}
