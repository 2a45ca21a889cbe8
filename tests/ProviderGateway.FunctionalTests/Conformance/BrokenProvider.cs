using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.Contracts.Common.V1;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.FunctionalTests.Conformance;

/// <summary>One way a provider can break its contract; each should fail one category of the conformance kit's checks.</summary>
public enum Breakage
{
    /// <summary>Answers OK (an empty response) where it should refuse bad input: fails <c>validation.*</c>.</summary>
    AcceptsInvalidInput,

    /// <summary>Sends error codes without their google.rpc details: fails <c>not_found.*</c> (and validation).</summary>
    ErrorsWithoutDetails,

    /// <summary>Ignores page_size and page_token, answering everything at once: fails <c>paging.*</c>.</summary>
    IgnoresPaging,

    /// <summary>Treats every write as new, whatever its request_id: fails <c>idempotency.*</c>.</summary>
    RepeatsWrites,

    /// <summary>Does not serve grpc.health.v1: fails <c>health.*</c>.</summary>
    NoHealthService,

    /// <summary>
    /// Drops the caller's grpc-timeout, as a proxy that strips it would: it answers as fast as ever, but waits for a late
    /// request as long as it takes: fails <c>deadline.*</c>.
    /// </summary>
    IgnoresDeadlines,

    /// <summary>Returns amounts in USD, blank KATO codes, no timestamps, unspecified enums, no reasons: fails <c>data.*</c>.</summary>
    CorruptsData,

    /// <summary>Answers NOT_FOUND for a citizen it holds nothing for, instead of an empty page: fails <c>unknown_citizen.*</c>.</summary>
    FailsUnknownCitizens,
}

/// <summary>A demo provider broken in one <see cref="Breakage"/> way, for tests of the conformance kit.</summary>
public static class BrokenProvider
{
    /// <summary>The check category each breakage must fail entirely.</summary>
    public static string CategoryOf(Breakage breakage) => breakage switch
    {
        Breakage.AcceptsInvalidInput => "validation",
        Breakage.ErrorsWithoutDetails => "not_found",
        Breakage.IgnoresPaging => "paging",
        Breakage.RepeatsWrites => "idempotency",
        Breakage.NoHealthService => "health",
        Breakage.IgnoresDeadlines => "deadline",
        Breakage.CorruptsData => "data",
        Breakage.FailsUnknownCitizens => "unknown_citizen",
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

    private static Task Unimplemented(HttpContext context)
    {
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = "Not served";
        return Task.CompletedTask;
    }

    private sealed class BreakingInterceptor(Breakage breakage) : Interceptor
    {
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
                    catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
                    {
                        return Activator.CreateInstance<TResponse>();
                    }

                case Breakage.ErrorsWithoutDetails:
                    try
                    {
                        return await continuation(request, context);
                    }
                    catch (RpcException e)
                    {
                        throw new RpcException(new Status(e.StatusCode, e.Status.Detail));
                    }

                case Breakage.IgnoresPaging:
                    Set(request, "page_size", 100);
                    Set(request, "page_token", "");
                    return await continuation(request, context);

                case Breakage.RepeatsWrites:
                    if (Field(request, "request_id") is { } requestId && requestId.Accessor.GetValue((IMessage)request) is string { Length: > 0 })
                    {
                        requestId.Accessor.SetValue((IMessage)request, Guid.NewGuid().ToString("D"));
                    }

                    return await continuation(request, context);

                case Breakage.CorruptsData:
                    var response = await continuation(request, context);
                    Corrupt((IMessage)response);
                    return response;

                case Breakage.FailsUnknownCitizens:
                    var answer = await continuation(request, context);
                    if (context.Method.Contains("/List", StringComparison.Ordinal) && IsEmptyPage((IMessage)answer))
                    {
                        throw new RpcException(new Status(StatusCode.NotFound, "No such citizen."));
                    }

                    return answer;

                default:
                    return await continuation(request, context);
            }
        }

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

        /// <summary>Walks a response, breaking every invariant the kit checks on data.</summary>
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
                    case FieldType.Enum when !field.IsRepeated:
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
    }
}
