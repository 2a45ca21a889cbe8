using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.FrontDesk;

namespace ProviderGateway.Hosting;

/// <summary>
/// Binds gRPC services the way grpc-dotnet's own binder does (the generated <c>BindService</c>, one endpoint per method),
/// with no gRPC interceptors (each costs an activation, a closure and an asynchronous wrapper on every call):
/// <list type="bullet">
/// <item>every method of the other services (health, reflection) has its unexpected failures translated here
/// (<see cref="UnexpectedFailures"/>); every front-desk method runs inside <see cref="FrontDeskCallGuard"/>, called by
/// the service itself (<see cref="FrontDeskGrpcService"/>) so that JSON calls, bound by grpc-dotnet's JSON transcoding
/// and not here, run inside it too;</item>
/// <item>front-desk request messages are read by a marshaller that answers a message that is not well-formed protobuf
/// with INVALID_ARGUMENT (<c>MALFORMED_REQUEST</c>, with a BadRequest). grpc-dotnet logs an exception of a marshaller as
/// an Error with its stack trace, once per request; an <see cref="RpcException"/> it logs at Information. A client's
/// garbage is the client's error, not the server's.</item>
/// </list>
/// </summary>
public static class GrpcServiceBinding
{
    /// <summary>Replaces grpc-dotnet's binder (call after the last <c>AddGrpc</c>, which would register it again).</summary>
    public static IServiceCollection UseGatewayServiceBinding(this IServiceCollection services)
    {
        var binders = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToList();
        if (binders.Count == 0)
        {
            throw new InvalidOperationException("grpc-dotnet's BinderServiceMethodProvider<> is not registered: call AddGrpc first (or grpc-dotnet changed how it binds services).");
        }

        binders.ForEach(b => services.Remove(b));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(GatewayServiceMethodProvider<>)));
        return services;
    }

    /// <summary>Reads a front-desk request, turning a parse failure into INVALID_ARGUMENT with details.</summary>
    internal static Marshaller<TRequest> Strict<TRequest>(Marshaller<TRequest> marshaller, string methodName)
        where TRequest : class =>
        Marshallers.Create(
            marshaller.ContextualSerializer,
            context =>
            {
                try
                {
                    return marshaller.ContextualDeserializer(context);
                }
                catch (InvalidProtocolBufferException)
                {
                    throw FrameworkStatusMiddleware.Malformed($"The request is not a well-formed protobuf {methodName} request message.").ToRpcException();
                }
            });
}

/// <summary>The binder of <see cref="GrpcServiceBinding"/> for one service type.</summary>
/// <typeparam name="TService">The service implementation.</typeparam>
internal sealed class GatewayServiceMethodProvider<TService>(IServiceProvider services) : IServiceMethodProvider<TService>
    where TService : class
{
    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        // The generated code marks the service base with [BindServiceMethod(typeof(X), "BindService")].
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } bind)
            {
                continue;
            }

            var method = bind.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Single(m => m.Name == bind.BindMethodName && m.GetParameters() is [{ ParameterType: var first }, _] && first == typeof(ServiceBinderBase));
            var frontDesk = typeof(FrontDeskService.FrontDeskServiceBase).IsAssignableFrom(typeof(TService));
            method.Invoke(null, [new Binder(context, frontDesk, services.GetRequiredService<UnexpectedFailures>()), null]);
            return;
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, bool frontDesk, UnexpectedFailures failures) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
            if (frontDesk)
            {
                // The service's own methods run inside FrontDeskCallGuard: bound as they are, with the strict marshaller.
                var strict = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, GrpcServiceBinding.Strict(method.RequestMarshaller, method.Name), method.ResponseMarshaller);
                context.AddUnaryMethod(strict, metadata, invoker);
                return;
            }

            context.AddUnaryMethod(method, metadata, (service, request, call) =>
            {
                try
                {
                    return failures.Settled(invoker(service, request, call), call);
                }
                catch (Exception ex) when (ex is not RpcException)
                {
                    return Task.FromException<TResponse>(failures.Translate(ex, call));
                }
            });
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            if (frontDesk)
            {
                // As a unary front-desk method: inside FrontDeskCallGuard, its request read with the strict marshaller.
                var strict = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, GrpcServiceBinding.Strict(method.RequestMarshaller, method.Name), method.ResponseMarshaller);
                context.AddServerStreamingMethod(strict, metadata, invoker);
                return;
            }

            context.AddServerStreamingMethod(method, metadata, (service, request, writer, call) => failures.Streaming(() => invoker(service, request, writer, call), call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
            context.AddClientStreamingMethod(method, metadata, async (service, reader, call) =>
            {
                try
                {
                    return await invoker(service, reader, call).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not RpcException)
                {
                    throw failures.Translate(ex, call);
                }
            });
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddDuplexStreamingMethod(method, metadata, (service, reader, writer, call) => failures.Streaming(() => invoker(service, reader, writer, call), call));
        }

        // As grpc-dotnet's binder: the handler is the service's public method of that name and signature; the endpoint's
        // metadata are the attributes of the service and of the method, and POST (accepting CORS preflights).
        private static (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, params Type[] parameters)
            where TDelegate : Delegate
        {
            var handler = typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }
    }
}
