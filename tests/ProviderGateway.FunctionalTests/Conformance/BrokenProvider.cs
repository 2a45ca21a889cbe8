using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>
/// One way a provider can break its contract. Each fails one category of the conformance kit's checks entirely and no
/// other (<see cref="BrokenProvider.EffectOf"/>), except <see cref="ErrorsWithoutDetails"/>, which every check of an
/// error's details fails.
/// </summary>
public enum Breakage
{
    /// <summary>
    /// Answers OK (an empty response) where it should refuse bad values: an IIN, a page size or token, a request_id, a
    /// date, an amount, a type. It still refuses malformed identifiers. Fails <c>validation.*</c>.
    /// </summary>
    AcceptsInvalidInput,

    /// <summary>
    /// Checks only that identifiers are present, not their form: a malformed account number, meter id, cadastral number
    /// or id is looked up and not found (a malformed KATO code is a district it does not serve). Fails <c>format.*</c>.
    /// </summary>
    SkipsFormatChecks,

    /// <summary>
    /// Answers OK (an empty response) for an account, meter, parcel, order, benefit or application it does not have, writes
    /// included; one that belongs to another citizen is still NOT_FOUND. Fails <c>not_found.*</c>.
    /// </summary>
    AnswersForMissingResources,

    /// <summary>
    /// Looks resources up by their id alone: another citizen's account, parcel, order, benefit or application is answered
    /// (or written to) as if the caller's IIN were its owner's. Fails <c>other_citizen.*</c>.
    /// </summary>
    IgnoresOwnership,

    /// <summary>Sends error codes without their google.rpc details: fails every check of an error's details.</summary>
    ErrorsWithoutDetails,

    /// <summary>
    /// Checks page_size and page_token and hands out next_page_tokens as if it paged, but answers every item on every page:
    /// fails <c>paging.*</c>.
    /// </summary>
    IgnoresPaging,

    /// <summary>
    /// Takes a retry of a write it accepted (the same request_id, client and request) for a new write: fails
    /// <c>idempotency.*</c>. A request_id reused for a different request is still refused.
    /// </summary>
    RepeatsWrites,

    /// <summary>
    /// Remembers writes by request_id alone: a request_id reused for a different request, or by another gateway client,
    /// replays the first result. Fails <c>request_id.*</c>.
    /// </summary>
    ReplaysReusedRequestIds,

    /// <summary>Accepts writes its state forbids (a reading on a CLOSED account or below the last one): fails <c>precondition.*</c>.</summary>
    IgnoresPreconditions,

    /// <summary>Does not serve grpc.health.v1: fails <c>health.*</c>.</summary>
    NoHealthService,

    /// <summary>
    /// Drops the caller's grpc-timeout, as a proxy that strips it would: it answers as fast as ever, but waits for a late
    /// request as long as it takes: fails <c>deadline.*</c>.
    /// </summary>
    IgnoresDeadlines,

    /// <summary>
    /// Returns amounts in USD, blank KATO codes, no timestamps, unspecified enums, no reasons: fails <c>data.*</c>. It
    /// leaves what the kit reads back to build its requests (an account's state, a benefit's type), so that only the
    /// data checks see the damage.
    /// </summary>
    CorruptsData,

    /// <summary>Answers NOT_FOUND for a citizen it holds nothing for, instead of an empty page: fails <c>unknown_citizen.*</c>.</summary>
    FailsUnknownCitizens,
}

/// <summary>What a breakage does to the kit's report.</summary>
/// <param name="Fails">The categories every check of which must fail, in the contracts that have them.</param>
/// <param name="MayAlsoFail">Categories some checks of which fail too, because they rest on what the breakage breaks.</param>
public sealed record BreakageEffect(IReadOnlyList<string> Fails, IReadOnlyList<string> MayAlsoFail)
{
    /// <summary>The category this breakage fails, and nothing else.</summary>
    public string? ExactlyFails => Fails.Count == 1 && MayAlsoFail.Count == 0 ? Fails[0] : null;
}

/// <summary>A demo provider broken in one <see cref="Breakage"/> way, for tests of the conformance kit.</summary>
public static class BrokenProvider
{
    /// <summary>The request fields that are identifiers, and the ResourceInfo type a lookup of each reports missing (none for a KATO code).</summary>
    private static readonly Dictionary<string, string?> IdentifierFields = new()
    {
        ["account_number"] = "utilities.v1.Account",
        ["meter_id"] = "utilities.v1.Meter",
        ["cadastral_number"] = "landregistry.v1.Parcel",
        ["order_id"] = "landregistry.v1.CertificateOrder",
        ["benefit_id"] = "socialservices.v1.Benefit",
        ["application_id"] = "socialservices.v1.Application",
        ["kato_code"] = null,
    };

    /// <summary>The categories of checks each breakage fails.</summary>
    public static BreakageEffect EffectOf(Breakage breakage) => breakage switch
    {
        Breakage.AcceptsInvalidInput => Only("validation"),
        Breakage.SkipsFormatChecks => Only("format"),
        Breakage.AnswersForMissingResources => Only("not_found"),
        Breakage.IgnoresOwnership => Only("other_citizen"),
        Breakage.ErrorsWithoutDetails => new(["validation", "format", "not_found", "other_citizen", "precondition"], ["request_id"]),
        Breakage.IgnoresPaging => Only("paging"),
        Breakage.RepeatsWrites => Only("idempotency"),
        Breakage.ReplaysReusedRequestIds => Only("request_id"),
        Breakage.IgnoresPreconditions => Only("precondition"),
        Breakage.NoHealthService => Only("health"),
        Breakage.IgnoresDeadlines => Only("deadline"),
        Breakage.CorruptsData => Only("data"),
        Breakage.FailsUnknownCitizens => Only("unknown_citizen"),
        _ => throw new ArgumentOutOfRangeException(nameof(breakage)),
    };

    /// <summary>Starts demo provider <paramref name="providerId"/> broken as <paramref name="breakage"/> on a free loopback port.</summary>
    public static Task<DemoProviderServer> StartAsync(string providerId, Breakage breakage) =>
        DemoProviderServer.StartAsync(new DemoProviderServerOptions
        {
            ProviderId = providerId,
            ConfigureServices = services =>
            {
                services.AddSingleton(new BreakingInterceptor(breakage));
                services.AddGrpc(grpc => grpc.Interceptors.Add<BreakingInterceptor>());
            },
            ConfigurePipeline = app =>
            {
                if (breakage == Breakage.NoHealthService)
                {
                    app.Use((context, next) => context.Request.Path.StartsWithSegments("/grpc.health.v1.Health")
                        ? Unimplemented(context)
                        : next(context));
                }
                else if (breakage == Breakage.IgnoresDeadlines)
                {
                    app.Use((context, next) =>
                    {
                        context.Request.Headers.Remove("grpc-timeout");
                        return next(context);
                    });
                }
            },
        });

    private static BreakageEffect Only(string category) => new([category], []);

    private static Task Unimplemented(HttpContext context)
    {
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = "Not served";
        return Task.CompletedTask;
    }

    private sealed class BreakingInterceptor(Breakage breakage) : Interceptor
    {
        // RepeatsWrites: each write accepted, by method, client and request_id, without its request_id.
        private readonly ConcurrentDictionary<(string Method, string Client, string RequestId), IMessage> _writes = new();

        // ReplaysReusedRequestIds: the first answer to each request_id, by method alone.
        private readonly ConcurrentDictionary<(string Method, string RequestId), object> _firstAnswers = new();

        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (!context.Method.StartsWith("/providergateway.", StringComparison.Ordinal))
            {
                return await continuation(request, context); // health and reflection stay intact
            }

            switch (breakage)
            {
                case Breakage.AcceptsInvalidInput:
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && !OnlyMalformedIdentifiers(e))
                    {
                        return Activator.CreateInstance<TResponse>();
                    }

                case Breakage.SkipsFormatChecks:
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && OnlyMalformedIdentifiers(e))
                    {
                        throw NotFoundInsteadOf(e, (IMessage)request);
                    }

                case Breakage.AnswersForMissingResources:
                case Breakage.IgnoresOwnership:
                    RpcException notFound;
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                    {
                        notFound = e;
                    }

                    var ownersAnswer = await AsAnotherCitizenAsync(request, context, continuation);
                    return breakage == Breakage.IgnoresOwnership
                        ? ownersAnswer ?? throw notFound
                        : ownersAnswer is null ? Activator.CreateInstance<TResponse>() : throw notFound;

                case Breakage.ErrorsWithoutDetails:
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e)
                    {
                        throw new RpcException(new Grpc.Core.Status(e.StatusCode, e.Status.Detail));
                    }

                case Breakage.IgnoresPaging:
                    var page = await continuation(request, context); // page_size and page_token are checked
                    if (Field(page, "next_page_token") is not { } nextPageToken)
                    {
                        return page;
                    }

                    var all = Clone(request);
                    Set(all, "page_size", 100);
                    Set(all, "page_token", "");
                    var everything = await continuation(all, context);
                    nextPageToken.Accessor.SetValue((IMessage)everything, nextPageToken.Accessor.GetValue((IMessage)page));
                    return everything;

                case Breakage.RepeatsWrites:
                    if (RequestIdOf(request) is not { } retried)
                    {
                        return await continuation(request, context);
                    }

                    var write = (context.Method, ClientOf(context), retried);
                    var payload = WithoutRequestId(request);
                    if (_writes.TryGetValue(write, out var done) && done.Equals(payload))
                    {
                        // A retry of a write it accepted: done again, as a new one.
                        var again = Clone(request);
                        Set(again, "request_id", Guid.NewGuid().ToString("D"));
                        return await continuation(again, context);
                    }

                    var accepted = await continuation(request, context);
                    _writes.TryAdd(write, payload);
                    return accepted;

                case Breakage.ReplaysReusedRequestIds:
                    if (RequestIdOf(request) is not { } requestId)
                    {
                        return await continuation(request, context);
                    }

                    if (_firstAnswers.TryGetValue((context.Method, requestId), out var first))
                    {
                        return (TResponse)first;
                    }

                    var answerToRemember = await continuation(request, context);
                    _firstAnswers.TryAdd((context.Method, requestId), answerToRemember);
                    return answerToRemember;

                case Breakage.IgnoresPreconditions:
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                    {
                        return Activator.CreateInstance<TResponse>();
                    }

                case Breakage.CorruptsData:
                    var response = await continuation(request, context);
                    Corrupt((IMessage)response);
                    return response;

                case Breakage.FailsUnknownCitizens:
                    var answer = await continuation(request, context);
                    if (context.Method.Contains("/List", StringComparison.Ordinal) && IsEmptyPage((IMessage)answer))
                    {
                        throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "No such citizen."));
                    }

                    return answer;

                default:
                    return await continuation(request, context);
            }
        }

        /// <summary>
        /// The answer to <paramref name="request"/> asked with the IIN of another citizen of the seed, the first for whom it
        /// is not NOT_FOUND: what a provider that looks resources up by id alone would answer. <c>null</c> when nobody's.
        /// </summary>
        private static async Task<TResponse?> AsAnotherCitizenAsync<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
            where TRequest : class
            where TResponse : class
        {
            if (Field(request, "iin") is not { } iin)
            {
                return null;
            }

            var asked = (string)iin.Accessor.GetValue((IMessage)request);
            foreach (var citizen in DemoData.Seed.Citizens.Where(c => c.Iin != asked))
            {
                var asOwner = Clone(request);
                Set(asOwner, "iin", citizen.Iin);
                try
                {
                    return await continuation(asOwner, context);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    // Not this citizen's either.
                }
            }

            return null;
        }

        /// <summary>True when every violation of an INVALID_ARGUMENT is a malformed identifier.</summary>
        private static bool OnlyMalformedIdentifiers(RpcException e) =>
            e.GetRpcStatus()?.GetDetail<BadRequest>() is { FieldViolations.Count: > 0 } badRequest
            && badRequest.FieldViolations.All(v => IdentifierFields.ContainsKey(v.Field) && v.Reason.EndsWith("_MALFORMED", StringComparison.Ordinal));

        /// <summary>What a lookup of the malformed identifier finds: nothing (a KATO code: a district not served).</summary>
        private static RpcException NotFoundInsteadOf(RpcException e, IMessage request)
        {
            var field = e.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field;
            return IdentifierFields[field] is { } resourceType
                ? RpcErrors.NotFound(resourceType, (string)request.Descriptor.FindFieldByName(field).Accessor.GetValue(request), "Not found.")
                : RpcErrors.FailedPrecondition("SERVICE_AREA", field, "This provider does not serve the district.", "DISTRICT_NOT_SERVED");
        }

        private static string ClientOf(ServerCallContext context) => context.RequestHeaders.GetValue("x-client-id") ?? "";

        private static string? RequestIdOf(object request) =>
            Field(request, "request_id")?.Accessor.GetValue((IMessage)request) is string { Length: > 0 } id ? id.ToLowerInvariant() : null;

        private static IMessage WithoutRequestId<TRequest>(TRequest request)
            where TRequest : class
        {
            var payload = Clone(request);
            Set(payload, "request_id", "");
            return (IMessage)payload;
        }

        private static TRequest Clone<TRequest>(TRequest request)
            where TRequest : class =>
            ((IDeepCloneable<TRequest>)request).Clone();

        private static FieldDescriptor? Field(object message, string name) => ((IMessage)message).Descriptor.FindFieldByName(name);

        private static void Set(object message, string name, object value)
        {
            if (Field(message, name) is { } field)
            {
                field.Accessor.SetValue((IMessage)message, value);
            }
        }

        private static bool IsEmptyPage(IMessage page) =>
            page.Descriptor.Fields.InDeclarationOrder().All(f => f.IsRepeated ? ((System.Collections.IList)f.Accessor.GetValue(page)).Count == 0 : true);

        /// <summary>
        /// Walks a response, breaking every invariant the kit checks on data, but for the fields the kit reads back to build
        /// its requests (an account's state, to find a CLOSED one; a benefit's type, to apply for it).
        /// </summary>
        private static void Corrupt(IMessage message)
        {
            if (message is Money money)
            {
                money.CurrencyCode = "USD";
                return;
            }

            foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
            {
                var value = field.Accessor.GetValue(message);
                switch (field.FieldType)
                {
                    case FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName && !field.IsRepeated:
                        field.Accessor.Clear(message);
                        break;
                    case FieldType.Message when field.IsRepeated:
                        foreach (var item in (System.Collections.IList)value)
                        {
                            Corrupt((IMessage)item);
                        }

                        break;
                    case FieldType.Message when value is IMessage child:
                        Corrupt(child);
                        break;
                    case FieldType.Enum when !field.IsRepeated && !ReadBackByTheKit(field):
                        field.Accessor.SetValue(message, 0);
                        break;
                    case FieldType.String when field.IsRepeated:
                        ((System.Collections.IList)value).Clear();
                        break;
                    case FieldType.String when field.Name == "kato_code":
                        field.Accessor.SetValue(message, "12345");
                        break;
                }
            }
        }

        private static bool ReadBackByTheKit(FieldDescriptor field) =>
            field.FullName is "providergateway.utilities.v1.Account.state" or "providergateway.socialservices.v1.Benefit.benefit_type";
    }
}
