using System.Net;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client.Web;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// The gateway's errors in the desk's language: a <c>google.rpc.LocalizedMessage</c> in the language the call's
/// <c>accept-language</c> asks for (kk, ru, en; else the default, ru), field violations localized too, over native gRPC,
/// gRPC-Web and JSON; a provider's failure inside an answer, and provider names, in that language as well.
/// </summary>
public sealed class LocalizedErrorsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string KarasaiIin = "791028302728";
    private const string WrongCheckDigit = "791028302729";

    private TestGateway Gateway => fixture.Gateway;

    [Theory]
    [InlineData("kk", "Сұраныста қателер бар: әр өрісті қараңыз.", "ЖСН-нің бақылау (соңғы) цифры")]
    [InlineData("ru-RU,ru;q=0.9", "В запросе есть ошибки: см. каждое поле.", "Контрольная (последняя) цифра ИИН")]
    [InlineData("en-GB", "The request has mistakes: see each field.", "The IIN's last digit (the check digit)")]
    [InlineData(null, "В запросе есть ошибки: см. каждое поле.", "Контрольная (последняя) цифра ИИН")]
    [InlineData("de-DE", "В запросе есть ошибки: см. каждое поле.", "Контрольная (последняя) цифра ИИН")]
    public async Task A_bad_IIN_is_refused_with_the_message_and_the_field_violation_in_the_calls_language(string? acceptLanguage, string message, string violationStart)
    {
        var headers = new Metadata();
        if (acceptLanguage is not null)
        {
            headers.Add("accept-language", acceptLanguage);
        }

        var refusal = await Assert.ThrowsAsync<RpcException>(() => Gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = WrongCheckDigit }, headers).ResponseAsync);

        var status = refusal.GetRpcStatus()!;
        var expectedLanguage = acceptLanguage?[..2] is "kk" or "ru" or "en" ? acceptLanguage[..2] : "ru";
        Assert.StartsWith("Invalid iin", status.Message, StringComparison.Ordinal); // the status's own message stays English
        Assert.Equal(new LocalizedMessage { Locale = expectedLanguage, Message = message }, status.GetDetail<LocalizedMessage>());
        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal(expectedLanguage, violation.LocalizedMessage.Locale);
        Assert.StartsWith(violationStart, violation.LocalizedMessage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JSON_and_gRPC_Web_refusals_carry_the_message_in_the_language_asked_for()
    {
        using var http = BrowserDesk.Http(Gateway);
        using var web = BrowserDesk.GrpcWebChannel(Gateway, GrpcWebMode.GrpcWebText);
        using var json = BrowserDesk.Post("/v1/citizens:overview", new GetCitizenOverviewRequest { Iin = KarasaiIin }, apiKey: "no-such-key");
        json.Headers.Add("Accept-Language", "kk-KZ, ru;q=0.5");

        var jsonStatus = await http.FailAsync(json, HttpStatusCode.Unauthorized);
        var webRefusal = await Assert.ThrowsAsync<RpcException>(() => TestGateway.ClientWith(web, "no-such-key", TestSecrets.OperatorId, TestSecrets.Purpose)
            .GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin }, new Metadata { { "accept-language", "en" } }).ResponseAsync);

        Assert.Equal("Кеңсе кілті жоқ немесе жарамсыз. Қайта кіріңіз.", jsonStatus.GetDetail<LocalizedMessage>()!.Message);
        Assert.Equal(StatusCode.Unauthenticated, webRefusal.StatusCode);
        Assert.Equal("The office's key is missing or not valid. Sign in again.", webRefusal.GetRpcStatus()!.GetDetail<LocalizedMessage>()!.Message);
    }

    [Fact]
    public async Task A_method_the_gateway_does_not_serve_and_one_the_client_may_not_call_are_refused_in_the_calls_language()
    {
        var headers = new Metadata { { "accept-language", "kk" } };
        var stranger = Gateway.ClientWith(TestSecrets.ApiKey, null, TestSecrets.Purpose);

        var noOperator = await Assert.ThrowsAsync<RpcException>(() => stranger.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin }, headers).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Gateway.Channel.CreateCallInvoker().AsyncUnaryCall(
            new Method<GetCitizenOverviewRequest, GetCitizenOverviewResponse>(
                MethodType.Unary,
                "providergateway.frontdesk.v1.FrontDeskService",
                "NoSuchMethod",
                Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), GetCitizenOverviewRequest.Parser.ParseFrom),
                Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), GetCitizenOverviewResponse.Parser.ParseFrom)),
            null,
            new CallOptions(headers),
            new GetCitizenOverviewRequest()).ResponseAsync);

        Assert.Equal("Оператор идентификаторы көрсетілмеген: қайта кіріңіз.", Assert.Single(noOperator.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).LocalizedMessage.Message);
        Assert.Equal(StatusCode.Unimplemented, unknown.StatusCode);
        Assert.Equal("Шлюзде мұндай қызмет жоқ.", unknown.GetRpcStatus()!.GetDetail<LocalizedMessage>()!.Message);
    }

    [Fact]
    public async Task A_failed_provider_inside_the_overview_says_why_in_the_calls_language_under_its_name_in_that_language()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.EmbeddedProviders["teplo-service"].Faults.Down = true;
        var kazakh = new Metadata { { "accept-language", "kk" }, { "cache-control", "no-cache" } };

        var overview = await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = KarasaiIin }, kazakh);
        var providers = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest(), new Metadata { { "accept-language", "ru" } });
        var english = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest(), new Metadata { { "accept-language", "en" } });

        var down = overview.Results.Single(r => r.Source.ProviderId == "teplo-service").Source;
        Assert.Equal("Жылу сервис (демо)", down.ProviderName);
        Assert.Equal("Жылу сервис (демо) қазір қолжетімсіз. Бір минуттан кейін қайталаңыз.", down.Status.GetDetail<LocalizedMessage>()!.Message);
        Assert.All(overview.Results.Where(r => r.Source.Status.Code == 0), r => Assert.Empty(r.Source.Status.Details));
        Assert.Equal("Земельный кадастр (демо)", providers.Providers.Single(p => p.ProviderId == "land-registry").DisplayName);
        Assert.Equal("Land Registry (demo)", english.Providers.Single(p => p.ProviderId == "land-registry").DisplayName);
    }
}
