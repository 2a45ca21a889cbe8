using System.Text;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Errors;

namespace ProviderGateway.Tests.Errors;

/// <summary>
/// The statuses grpc-dotnet and JSON transcoding write by themselves gain the gateway's details, and each such refusal
/// of a front-desk call is reported once, with its final status. No server: the framework's answer is written by a
/// terminal delegate, and the response's start and completion are played as Kestrel plays them.
/// </summary>
public sealed class FrameworkStatusMiddlewareTests
{
    private const long MaxRequestBytes = 1024;

    private readonly FakeRefusals _refusals = new();

    [Fact]
    public async Task A_malformed_grpc_message_becomes_invalid_argument_with_a_bad_request_and_malformed_request()
    {
        var call = Call();

        await RunGrpcAsync(call, StatusCode.Unknown, "Exception was thrown by handler.");

        var status = DetailsOf(call.Context);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Equal("3", call.Context.Response.Headers["grpc-status"].ToString());
        Assert.Contains("not a well-formed protobuf GetCitizenOverview request", status.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorReasons.MalformedRequest, Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations).Reason);
        Assert.Equal(ErrorReasons.MalformedRequest, status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal([StatusCode.InvalidArgument], _refusals.Reported);
        Assert.Equal(1, _refusals.Claims);
    }

    [Fact]
    public async Task A_services_error_gains_its_message_in_the_calls_language_naming_the_provider_and_keeps_the_rest()
    {
        var call = Call();
        var error = RpcErrors.Build(
            StatusCode.Unavailable,
            "Provider alatau-power is unavailable.",
            RpcErrors.ErrorInfo(ErrorReasons.ProviderUnavailable, new() { ["provider_id"] = "alatau-power" })).GetRpcStatus()!;

        await RunAsync(call, context =>
        {
            TrailersOnly.Set(context.Response, error);
            return Task.CompletedTask;
        });

        var status = DetailsOf(call.Context);
        Assert.Equal(error.Message, status.Message);
        Assert.Equal(error.Details[0], status.Details[0]);
        var localized = status.GetDetail<LocalizedMessage>()!;
        Assert.Equal("kk", localized.Locale);
        Assert.Equal("Алатау Пауэр қазір қолжетімсіз. Бір минуттан кейін қайталаңыз.", localized.Message);
    }

    [Fact]
    public async Task A_malformed_message_and_a_JSON_bad_request_gain_localized_field_violations()
    {
        var grpc = Call();
        var json = Call(json: true);
        var invalid = RpcErrors.InvalidArgument("iin", Contracts.Identifiers.Iin.Validate("791028302729")!).GetRpcStatus()!;

        await RunGrpcAsync(grpc, StatusCode.Unknown, "Exception was thrown by handler.");
        await RunJsonAsync(json, invalid);

        Assert.Equal("Сұранысты оқу мүмкін болмады.", DetailsOf(grpc.Context).GetDetail<LocalizedMessage>()!.Message);
        var body = JsonBodyOf(json);
        Assert.Equal("Сұраныста қателер бар: әр өрісті қараңыз.", body.GetDetail<LocalizedMessage>()!.Message);
        var violation = Assert.Single(body.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("IIN_CHECK_DIGIT_MISMATCH", violation.Reason);
        Assert.Equal("kk", violation.LocalizedMessage.Locale);
        Assert.StartsWith("ЖСН-нің бақылау (соңғы) цифры", violation.LocalizedMessage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_grpc_frame_becomes_invalid_argument_naming_the_framing()
    {
        var call = Call();

        await RunGrpcAsync(call, StatusCode.Internal, "Incomplete message.");

        var status = DetailsOf(call.Context);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Contains("gRPC framing is invalid: Incomplete message.", status.Message, StringComparison.Ordinal);
        Assert.Equal([StatusCode.InvalidArgument], _refusals.Reported);
    }

    [Fact]
    public async Task An_oversized_grpc_message_stays_resource_exhausted_and_gains_request_too_large()
    {
        var call = Call();

        await RunGrpcAsync(call, StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");

        var status = DetailsOf(call.Context);
        Assert.Equal((int)StatusCode.ResourceExhausted, status.Code);
        Assert.Equal(ErrorReasons.RequestTooLarge, status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal([StatusCode.ResourceExhausted], _refusals.Reported);
    }

    [Fact]
    public async Task A_refused_call_whose_request_was_aborted_is_reported_cancelled()
    {
        var call = Call();

        await RunGrpcAsync(call, StatusCode.Unknown, "Exception was thrown by handler.", abortBeforeCompletion: true);

        Assert.Equal((int)StatusCode.InvalidArgument, DetailsOf(call.Context).Code);
        Assert.Equal([StatusCode.Cancelled], _refusals.Reported);
    }

    [Fact]
    public async Task A_status_that_already_carries_details_keeps_them_and_only_gains_its_message_for_people()
    {
        var call = Call();
        var own = new Google.Rpc.Status
        {
            Code = (int)StatusCode.PermissionDenied,
            Message = "Client 'x' may not call GetCitizenOverview (overview).",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo { Reason = ErrorReasons.MethodNotPermitted }) },
        };

        await RunAsync(call, context =>
        {
            TrailersOnly.Set(context.Response, own);
            return Task.CompletedTask;
        });

        var written = DetailsOf(call.Context);
        Assert.Equal(own.Message, written.Message);
        Assert.Equal(own.Details, written.Details.Take(own.Details.Count));
        Assert.Equal("Бұл кеңсеге осы қызметті пайдалануға рұқсат етілмеген.", Assert.Single(written.Details.Skip(own.Details.Count)).Unpack<LocalizedMessage>().Message);
        Assert.Equal([StatusCode.PermissionDenied], _refusals.Reported);
    }

    [Fact]
    public async Task An_answered_call_and_a_request_that_is_not_a_front_desk_call_are_neither_touched_nor_reported()
    {
        var answered = Call();
        var other = Call(frontDesk: false);

        await RunGrpcAsync(answered, StatusCode.OK, "");
        await RunGrpcAsync(other, StatusCode.Unknown, "Exception was thrown by handler.");

        Assert.Equal("0", answered.Context.Response.Headers["grpc-status"].ToString());
        Assert.Equal("2", other.Context.Response.Headers["grpc-status"].ToString());
        Assert.False(other.Context.Response.Headers.ContainsKey("grpc-status-details-bin"));
        Assert.Empty(_refusals.Reported);
        Assert.Equal(0, _refusals.Claims);
    }

    [Fact]
    public async Task A_malformed_json_body_becomes_invalid_argument_with_a_bad_request_and_malformed_request()
    {
        var call = Call(json: true);

        await RunJsonAsync(call, new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = "Unexpected character 'x'." });

        var status = JsonBodyOf(call);
        Assert.Equal(StatusCodes.Status400BadRequest, call.Context.Response.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Contains("not a well-formed JSON GetCitizenOverview request: Unexpected character 'x'.", status.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorReasons.MalformedRequest, Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations).Reason);
        Assert.Equal(ErrorReasons.MalformedRequest, status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal([StatusCode.InvalidArgument], _refusals.Reported);
        Assert.Equal(MaxRequestBytes, call.BodyLimit.MaxRequestBodySize);
    }

    [Fact]
    public async Task An_oversized_json_body_is_refused_resource_exhausted_request_too_large()
    {
        var call = Call(json: true);
        call.Context.Request.ContentLength = MaxRequestBytes + 1;

        await RunJsonAsync(call, new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = "Request body too large." });

        var status = JsonBodyOf(call);
        Assert.Equal(StatusCodes.Status429TooManyRequests, call.Context.Response.StatusCode);
        Assert.Equal((int)StatusCode.ResourceExhausted, status.Code);
        Assert.Equal(ErrorReasons.RequestTooLarge, status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal([StatusCode.ResourceExhausted], _refusals.Reported);
    }

    [Fact]
    public async Task A_json_unknown_becomes_internal_and_is_left_to_the_services_count()
    {
        var call = Call(json: true);

        await RunJsonAsync(call, new Google.Rpc.Status { Code = (int)StatusCode.Unknown, Message = "Exception was thrown by handler." });

        var status = JsonBodyOf(call);
        Assert.Equal((int)StatusCode.Internal, status.Code);
        Assert.Equal(ErrorReasons.InternalError, status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Empty(_refusals.Reported);
    }

    [Fact]
    public async Task A_json_error_with_details_passes_through_unreported_gaining_only_its_message_for_people()
    {
        var call = Call(json: true);
        var own = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "The IIN's check digit is wrong.",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo { Reason = ErrorReasons.InvalidRequest }) },
        };

        await RunJsonAsync(call, own);

        var localized = own.Clone();
        localized.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(new LocalizedMessage { Locale = "kk", Message = "Сұраныста қателер бар: әр өрісті қараңыз." }));
        Assert.Equal(JsonStatus.Format(localized), Encoding.UTF8.GetString(call.Body.ToArray()));
        Assert.Empty(_refusals.Reported);
    }

    private Task RunGrpcAsync(TestCall call, StatusCode code, string message, bool abortBeforeCompletion = false) =>
        RunAsync(
            call,
            context =>
            {
                // grpc-dotnet's trailers-only answer, as it writes it before the service runs.
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                return Task.CompletedTask;
            },
            abortBeforeCompletion);

    private Task RunJsonAsync(TestCall call, Google.Rpc.Status status) =>
        RunAsync(call, context => JsonStatus.WriteAsync(context.Response, status));

    private async Task RunAsync(TestCall call, RequestDelegate framework, bool abortBeforeCompletion = false)
    {
        var services = new ServiceCollection()
            .AddSingleton<IFrameworkRefusals>(_refusals)
            .AddSingleton<ICallLanguages>(new KazakhCalls())
            .BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        app.UseFrameworkStatusDetails(MaxRequestBytes);
        app.Run(framework);

        await app.Build()(call.Context);
        await call.Response.StartAsync();
        if (abortBeforeCompletion)
        {
            await call.Aborted.CancelAsync();
        }

        await call.Response.CompleteAsync();
    }

    private static Google.Rpc.Status DetailsOf(HttpContext context) =>
        Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(context.Response.Headers["grpc-status-details-bin"].ToString()));

    private static Google.Rpc.Status JsonBodyOf(TestCall call) =>
        new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(JsonStatus.DetailTypes))
            .Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(call.Body.ToArray()));

    private static TestCall Call(bool json = false, bool frontDesk = true) => new(json, frontDesk);

    /// <summary>A request as Kestrel hands it over: its response's start and completion callbacks, its abort and body limit.</summary>
    private sealed class TestCall
    {
        public TestCall(bool json, bool frontDesk)
        {
            var features = new FeatureCollection();
            features.Set<IHttpRequestFeature>(new HttpRequestFeature());
            features.Set<IHttpResponseFeature>(Response);
            features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Body));
            features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = Aborted.Token });
            features.Set<IHttpMaxRequestBodySizeFeature>(BodyLimit);
            Context = new DefaultHttpContext(features);
            if (frontDesk)
            {
                Context.Items[FakeRefusals.Key] = ("GetCitizenOverview", json);
            }
        }

        public DefaultHttpContext Context { get; }

        public CallbackResponseFeature Response { get; } = new();

        public MemoryStream Body { get; } = new();

        public CancellationTokenSource Aborted { get; } = new();

        public BodySizeLimit BodyLimit { get; } = new();
    }

    /// <summary>The response feature with the callbacks Kestrel runs as the response starts and after it completed.</summary>
    private sealed class CallbackResponseFeature : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];

        public override bool HasStarted => Started;

        private bool Started { get; set; }

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Insert(0, (callback, state));

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Insert(0, (callback, state));

        public async Task StartAsync()
        {
            foreach (var (callback, state) in _starting.ToList())
            {
                await callback(state);
            }

            Started = true;
        }

        public async Task CompleteAsync()
        {
            foreach (var (callback, state) in _completed.ToList())
            {
                await callback(state);
            }
        }
    }

    private sealed class BodySizeLimit : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; }
    }

    /// <summary>Every call asks for Kazakh; one provider has a Kazakh name.</summary>
    private sealed class KazakhCalls : ICallLanguages
    {
        public StatusLocalization.Target TargetOf(HttpContext context) => new("kk", id => id == "alatau-power" ? "Алатау Пауэр" : null);
    }

    /// <summary>The gateway's side, faked: a request is a front-desk call when marked so; each report is kept.</summary>
    private sealed class FakeRefusals : IFrameworkRefusals
    {
        public const string Key = "front-desk-call";

        public List<StatusCode> Reported { get; } = [];

        public int Claims { get; private set; }

        public (string Method, bool IsJson)? Classify(HttpContext context) =>
            context.Items.TryGetValue(Key, out var call) ? ((string, bool))call! : null;

        public Action<StatusCode> Refused(HttpContext context)
        {
            Claims++;
            return Reported.Add;
        }
    }
}
