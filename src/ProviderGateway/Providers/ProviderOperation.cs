using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Providers;

/// <summary>Whether an operation only reads (may be cached and retried) or changes provider data.</summary>
public enum OperationKind
{
    /// <summary>Reads provider data; idempotent.</summary>
    Read,

    /// <summary>Changes provider data; idempotent only by its <c>request_id</c>; never cached.</summary>
    Write,
}

/// <summary>
/// One unary method of a provider contract, callable on any provider of its domain through a
/// <see cref="CallInvoker"/>. Built from the contract's descriptor, so the method name and message
/// types always match the .proto.
/// </summary>
public sealed class ProviderOperation<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal ProviderOperation(ServiceDescriptor service, string methodName, Domain domain, OperationKind kind)
    {
        var method = service.FindMethodByName(methodName)
            ?? throw new ArgumentException($"{service.FullName} has no method {methodName}.", nameof(methodName));
        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException($"{method.FullName} takes {method.InputType.ClrType.Name} and returns {method.OutputType.ClrType.Name}.");
        }

        Method = new Method<TRequest, TResponse>(
            MethodType.Unary,
            service.FullName,
            methodName,
            CreateMarshaller((MessageParser<TRequest>)method.InputType.Parser),
            CreateMarshaller((MessageParser<TResponse>)method.OutputType.Parser));
        Domain = domain;
        Kind = kind;
        _citizenField = method.InputType.FindFieldByName("iin");
        _requestIdField = method.InputType.FindFieldByName("request_id");
    }

    // Writes carry their idempotency key as "request_id": with it, a write may be retried.
    private readonly FieldDescriptor? _requestIdField;

    // Every contract names the citizen "iin": the field that says whose data a call touches.
    private readonly FieldDescriptor? _citizenField;

    /// <summary>The gRPC method, for example <c>providergateway.utilities.v1.UtilitiesService/ListAccounts</c>.</summary>
    public Method<TRequest, TResponse> Method { get; }

    /// <summary>The domain whose contract defines the method.</summary>
    public Domain Domain { get; }

    /// <summary>Read or write.</summary>
    public OperationKind Kind { get; }

    /// <summary>The full method name, for logs and metrics.</summary>
    public string Name => Method.FullName;

    /// <summary>The short method name, for example <c>ListAccounts</c> (the key of its cache policy).</summary>
    public string MethodName => Method.Name;

    /// <summary>The citizen (IIN) a request is about; <c>null</c> when the method names none (for example GetParcel).</summary>
    public string? CitizenOf(TRequest request) =>
        _citizenField?.Accessor.GetValue(request) is string { Length: > 0 } iin ? iin : null;

    /// <summary>
    /// True when the call may be sent again after a transient failure: every read, and a write that carries a
    /// request_id (the provider answers a repeat with the first result).
    /// </summary>
    public bool IsRetryable(TRequest request) =>
        Kind == OperationKind.Read || _requestIdField?.Accessor.GetValue(request) is string { Length: > 0 };

    /// <summary>Starts the call.</summary>
    public AsyncUnaryCall<TResponse> Invoke(CallInvoker invoker, TRequest request, CallOptions options) =>
        invoker.AsyncUnaryCall(Method, host: null, options, request);

    // The same buffer-based (de)serialisation as generated clients use: no intermediate byte arrays.
    private static Marshaller<T> CreateMarshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> =>
        Marshallers.Create(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
