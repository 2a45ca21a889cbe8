using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using ProviderGateway.Conformance.Assertions;
using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Checks;

/// <summary>
/// The checks of one contract. Each contract's suite adds its own (validation, identifier formats, not found,
/// other citizens, paging, data, idempotency and request_id, preconditions) to the checks every provider must
/// pass: <c>grpc.health.v1</c> and deadlines. The shapes shared by every contract are built here.
/// </summary>
internal abstract class ContractSuite(ConformanceTarget target, KitOptions options)
{
    /// <summary>The provider.</summary>
    protected ConformanceTarget Target { get; } = target;

    /// <summary>The kit's options: test citizen, patterns, timeouts.</summary>
    protected KitOptions Options { get; } = options;

    /// <summary>The contract's full service name, for example <c>providergateway.utilities.v1.UtilitiesService</c>.</summary>
    public abstract string ServiceName { get; }

    /// <summary>The gateway client (x-client-id) of the request_id scope check's second write.</summary>
    protected const string OtherClientId = "conformance-kit-other";

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

    /// <summary>Every check of this contract, in the order they run: the common ones, then the contract's, category by category.</summary>
    public IEnumerable<ConformanceCheck> Checks() =>
        CommonChecks()
            .Concat(ValidationChecks())
            .Concat(FormatChecks())
            .Concat(NotFoundChecks())
            .Concat(OtherCitizenChecks())
            .Concat(UnknownCitizenAndPagingChecks())
            .Concat(DataChecks())
            .Concat(WriteChecks())
            .Concat(PreconditionChecks());

    /// <summary>The suite for <paramref name="options"/>' domain.</summary>
    public static ContractSuite For(ConformanceTarget target, KitOptions options) => options.Domain switch
    {
        ContractDomain.Utilities => new UtilitiesSuite(target, options),
        ContractDomain.LandRegistry => new LandRegistrySuite(target, options),
        ContractDomain.SocialServices => new SocialServicesSuite(target, options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Domain, "No such contract."),
    };

    /// <summary><c>validation.*</c>: bad values (IIN, paging, request_id, dates, amounts, types) are INVALID_ARGUMENT naming the field.</summary>
    protected abstract IEnumerable<ConformanceCheck> ValidationChecks();

    /// <summary><c>format.*</c>: malformed identifiers are INVALID_ARGUMENT naming the field (see <see cref="FormatCheck"/>).</summary>
    protected abstract IEnumerable<ConformanceCheck> FormatChecks();

    /// <summary><c>not_found.*</c>: missing resources are NOT_FOUND with a ResourceInfo (see <see cref="NotFoundCheck"/>).</summary>
    protected abstract IEnumerable<ConformanceCheck> NotFoundChecks();

    /// <summary><c>other_citizen.*</c>: another citizen's resources are NOT_FOUND (see <see cref="OtherCitizenCheck"/>).</summary>
    protected abstract IEnumerable<ConformanceCheck> OtherCitizenChecks();

    /// <summary><c>unknown_citizen.*</c> and <c>paging.*</c>: the List methods.</summary>
    protected abstract IEnumerable<ConformanceCheck> UnknownCitizenAndPagingChecks();

    /// <summary><c>data.*</c>: invariants of what the provider returns.</summary>
    protected abstract IEnumerable<ConformanceCheck> DataChecks();

    /// <summary><c>idempotency.*</c> and <c>request_id.*</c> of the contract's write (see <see cref="IdempotencyChecks"/>).</summary>
    protected abstract IEnumerable<ConformanceCheck> WriteChecks();

    /// <summary><c>precondition.*</c>: writes the state of what they are about forbids; none unless a contract has some.</summary>
    protected virtual IEnumerable<ConformanceCheck> PreconditionChecks() => [];

    /// <summary>A cheap read of the test citizen's data, used to probe deadlines.</summary>
    protected abstract Task ProbeAsync(CallOptions call);

    /// <summary>A fresh idempotency key.</summary>
    protected static string NewRequestId() => Guid.NewGuid().ToString("D");

    /// <summary>
    /// The day in Kazakhstan (UTC+5, the contracts' time zone) <paramref name="ahead"/> from now: a margin, so that a date
    /// the kit computes next to midnight means the same day to a provider whose clock is a little off.
    /// </summary>
    protected static DateOnly TodayInKazakhstan(TimeSpan ahead = default) => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5) + ahead);

    /// <summary>A day as google.type.Date.</summary>
    protected static Google.Type.Date Day(DateOnly day) => new() { Year = day.Year, Month = day.Month, Day = day.Day };

    /// <summary>Shorthand for a check.</summary>
    protected static ConformanceCheck Check(string id, string description, Func<CancellationToken, Task> run) => new(id, description, run);

    /// <summary>A new valid request of <paramref name="write"/>, changed by <paramref name="change"/>, is INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    protected Task RefusedAsync<TRequest, TResponse>(Write<TRequest, TResponse> write, Action<TRequest> change, string field, string sent, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        Expect.InvalidArgumentAsync(() => write.SendChangedAsync(change, Target.Call(ct)), field, sent);

    /// <summary><c>format.FIELD.METHOD</c>: a malformed identifier is INVALID_ARGUMENT naming the field, before any lookup.</summary>
    /// <param name="method">The method.</param>
    /// <param name="field">The identifier's field.</param>
    /// <param name="malformed">A value that breaks the field's format as the contract states it.</param>
    /// <param name="call">Calls the method with <paramref name="malformed"/> in <paramref name="field"/> and everything else valid.</param>
    protected ConformanceCheck FormatCheck(string method, string field, string malformed, Func<string, CallOptions, Task> call) =>
        Check($"format.{field}.{method}",
            $"{method} refuses a malformed {field} ('{malformed}') with INVALID_ARGUMENT and a BadRequest violation of '{field}', not NOT_FOUND: the form is checked before any lookup.",
            ct => Expect.InvalidArgumentAsync(() => call(malformed, Target.Call(ct)), field, $"the malformed {field} '{malformed}'"));

    /// <summary><c>not_found.ID</c>: a missing resource is NOT_FOUND with a ResourceInfo naming it as sent.</summary>
    /// <param name="id">The check id after <c>not_found.</c>, for example <c>CreateMeterReading.meter</c>.</param>
    /// <param name="what">The missing resource, for example "an unknown meter".</param>
    /// <param name="resourceType">The ResourceInfo type the contract prescribes.</param>
    /// <param name="missing">The identifier of the missing resource.</param>
    /// <param name="call">Calls the method with <paramref name="missing"/>, everything else valid.</param>
    protected ConformanceCheck NotFoundCheck(string id, string what, string resourceType, string missing, Func<CallOptions, Task> call) =>
        Check($"not_found.{id}",
            $"{id.Split('.')[0]} of {what} is NOT_FOUND with a ResourceInfo of type {resourceType} naming '{missing}' as sent.",
            ct => Expect.NotFoundAsync(() => call(Target.Call(ct)), resourceType, missing, $"{what} ('{missing}')"));

    /// <summary>
    /// <c>other_citizen.METHOD</c>: a resource of the test citizen asked for with the other test citizen's IIN is NOT_FOUND,
    /// exactly as a missing one, and never that person's data.
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="what">The resource, for example "account".</param>
    /// <param name="resourceType">The ResourceInfo type the contract prescribes.</param>
    /// <param name="resourceOf">Finds the test citizen's resource.</param>
    /// <param name="call">Calls the method for that resource with <see cref="KitOptions.OtherCitizenIin"/>.</param>
    protected ConformanceCheck OtherCitizenCheck(
        string method, string what, string resourceType, Func<CancellationToken, Task<string>> resourceOf, Func<string, CallOptions, Task> call) =>
        Check($"other_citizen.{method}",
            $"{method} of the test citizen's {what} asked with another citizen's IIN is NOT_FOUND with a ResourceInfo of type {resourceType}, as if it did not exist: never that person's data.",
            async ct =>
            {
                var resource = await resourceOf(ct);
                await Expect.NotFoundAsync(() => call(resource, Target.Call(ct)), resourceType, resource, $"the test citizen's {what} asked with the other citizen's IIN (--other-citizen-iin)");
            });

    /// <summary>
    /// <c>validation.page_token.METHOD.other_list</c>: a real page token of the test citizen's list, sent for the other
    /// citizen's list of the same method, is INVALID_ARGUMENT naming page_token.
    /// </summary>
    /// <param name="method">The List method.</param>
    /// <param name="tokenOf">The next_page_token of the first page (page_size 1) of the test citizen's list.</param>
    /// <param name="call">Calls the method for the other citizen's list with that token.</param>
    protected ConformanceCheck ForeignPageTokenCheck(string method, Func<CancellationToken, Task<string>> tokenOf, Func<string, CallOptions, Task> call) =>
        Check($"validation.page_token.{method}.other_list",
            $"{method} refuses a page_token it issued for another list (the test citizen's, sent for the other citizen's) with INVALID_ARGUMENT and a BadRequest violation of 'page_token'.",
            async ct =>
            {
                var token = await tokenOf(ct);
                Expect.That(token.Length > 0,
                    $"{method} of the test citizen with page_size 1 returned no next_page_token; the check needs a list of at least 2 items (--citizen-iin)");
                await Expect.InvalidArgumentAsync(() => call(token, Target.Call(ct)), "page_token", "a page_token of the test citizen's list sent for the other citizen's");
            });

    /// <summary>
    /// The idempotency and request_id checks of one write: <c>idempotency.METHOD</c> (a retry replays the first result, a
    /// new request_id is a new write), <c>request_id.reused.METHOD</c> (a request_id reused for a different request is
    /// ALREADY_EXISTS, REQUEST_ID_REUSED) and <c>request_id.scope.METHOD</c> (another gateway client's request_id is its
    /// own). The replay of a retry is the idempotency check's alone, so that each breakage fails one category.
    /// </summary>
    protected IEnumerable<ConformanceCheck> IdempotencyChecks<TRequest, TResponse>(Write<TRequest, TResponse> write)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var method = write.Method;
        yield return Check($"idempotency.{method}",
            $"The same request_id sent twice returns the first {write.Created} again (one effect); a new request_id creates a new {write.Created}.",
            async ct =>
            {
                var request = await write.NewRequest(ct);
                var first = await write.Send(request, Target.Call(ct));
                var again = await write.Send(request, Target.Call(ct));
                Expect.That(first.Equals(again),
                    $"the same request_id sent twice returned two different results ({write.Created} '{write.IdOf(first)}', then '{write.IdOf(again)}'); a retry must return the first result and have no second effect");
                var next = write.Different(request);
                next.Descriptor.FindFieldByName("request_id").Accessor.SetValue(next, NewRequestId());
                var other = await write.Send(next, Target.Call(ct));
                Expect.That(write.IdOf(other) != write.IdOf(first),
                    $"a new request_id returned the {write.Created} of an earlier request; only the same request_id may replay a result");
            });

        yield return Check($"request_id.reused.{method}",
            $"{method} with a request_id already used for a different request is ALREADY_EXISTS with a google.rpc.ErrorInfo reason REQUEST_ID_REUSED, not a replay of the first result nor a second write.",
            async ct =>
            {
                var request = await write.NewRequest(ct);
                await write.Send(request, Target.Call(ct));
                await Expect.ReasonAsync(() => write.Send(write.Different(request), Target.Call(ct)), StatusCode.AlreadyExists, "REQUEST_ID_REUSED",
                    "the request_id of an accepted write sent again with a different request");
            });

        yield return Check($"request_id.scope.{method}",
            $"A request_id belongs to the gateway client that sent it (x-client-id): {method} from another client with the same request_id and a different request is a write of its own.",
            async ct =>
            {
                var request = await write.NewRequest(ct);
                var first = await write.Send(request, Target.Call(ct));
                TResponse ofOtherClient;
                try
                {
                    ofOtherClient = await write.Send(write.Different(request), Target.CallAs(OtherClientId, ct));
                }
                catch (RpcException e)
                {
                    throw new ConformanceFailure(
                        $"another gateway client (x-client-id '{OtherClientId}') writing with the same request_id and a different request got {Expect.Describe(e.StatusCode)} \"{e.Status.Detail}\"; "
                        + "a request_id is scoped to the client that sent it, so this is a new write");
                }

                Expect.That(write.IdOf(ofOtherClient) != write.IdOf(first),
                    $"another gateway client (x-client-id '{OtherClientId}') writing with the same request_id got the first client's {write.Created}; a request_id is scoped to the client that sent it");
            });
    }

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

/// <summary>A write of a contract, as the idempotency and request_id checks use it.</summary>
/// <typeparam name="TRequest">The write's request.</typeparam>
/// <typeparam name="TResponse">Its response.</typeparam>
/// <param name="Method">The method, for example <c>CreateMeterReading</c>.</param>
/// <param name="Created">What it creates, for messages: "reading", "order", "application".</param>
/// <param name="NewRequest">A valid new request with a fresh request_id.</param>
/// <param name="MakeDifferent">Changes a request, keeping its request_id, into another valid request.</param>
/// <param name="Send">Sends a request.</param>
/// <param name="IdOf">The id of what a response created.</param>
internal sealed record Write<TRequest, TResponse>(
    string Method,
    string Created,
    Func<CancellationToken, Task<TRequest>> NewRequest,
    Action<TRequest> MakeDifferent,
    Func<TRequest, CallOptions, Task<TResponse>> Send,
    Func<TResponse, string?> IdOf)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    /// <summary>Sends a new valid request changed by <paramref name="change"/>.</summary>
    public async Task<TResponse> SendChangedAsync(Action<TRequest> change, CallOptions call)
    {
        var request = await NewRequest(call.CancellationToken);
        change(request);
        return await Send(request, call);
    }

    /// <summary>A copy of <paramref name="request"/>, with its request_id, asking for something else.</summary>
    public TRequest Different(TRequest request)
    {
        var copy = request.Clone();
        MakeDifferent(copy);
        return copy;
    }
}
