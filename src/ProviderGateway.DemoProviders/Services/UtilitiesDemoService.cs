using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.Utilities.V1;
using ProviderGateway.DemoProviders.Data;
using ProviderGateway.DemoProviders.Logging;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.DemoProviders.Services;

/// <summary>
/// The demo implementation of <c>providergateway.utilities.v1.UtilitiesService</c> for one utility
/// provider: it checks each request's fields as the contract prescribes and answers from the
/// <see cref="DemoDataStore"/>.
/// </summary>
public sealed class UtilitiesDemoService(DemoDataStore store, DemoFaults faults, ILogger<UtilitiesDemoService> logger) : UtilitiesService.UtilitiesServiceBase
{
    /// <inheritdoc />
    public override Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (accounts, next) = store.PageTokens.Page(
            store.ListAccounts(request.Iin), request.PageSize, request.PageToken, $"ListAccounts|{request.Iin}");
        return Task.FromResult(new ListAccountsResponse { Accounts = { accounts }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<GetAccountBalanceResponse> GetAccountBalance(GetAccountBalanceRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.AccountNumber("account_number", request.AccountNumber);
        violations.ThrowIfAny();

        return Task.FromResult(new GetAccountBalanceResponse { Balance = store.GetAccountBalance(request.Iin, request.AccountNumber) });
    }

    /// <inheritdoc />
    public override Task<ListInvoicesResponse> ListInvoices(ListInvoicesRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.AccountNumber("account_number", request.AccountNumber);
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (invoices, next) = store.PageTokens.Page(
            store.ListInvoices(request.Iin, request.AccountNumber),
            request.PageSize,
            request.PageToken,
            $"ListInvoices|{request.Iin}|{request.AccountNumber}");
        return Task.FromResult(new ListInvoicesResponse { Invoices = { invoices }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<ListPaymentsResponse> ListPayments(ListPaymentsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        violations.AccountNumber("account_number", request.AccountNumber);
        violations.Paging(request.PageSize, request.PageToken);
        violations.ThrowIfAny();

        var (payments, next) = store.PageTokens.Page(
            store.ListPayments(request.Iin, request.AccountNumber),
            request.PageSize,
            request.PageToken,
            $"ListPayments|{request.Iin}|{request.AccountNumber}");
        return Task.FromResult(new ListPaymentsResponse { Payments = { payments }, NextPageToken = next });
    }

    /// <inheritdoc />
    public override Task<CreateMeterReadingResponse> CreateMeterReading(CreateMeterReadingRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.RequestId("request_id", request.RequestId);
        violations.Iin("iin", request.Iin);
        violations.AccountNumber("account_number", request.AccountNumber);
        violations.MeterId("meter_id", request.MeterId);
        violations.NotNegative("value_milli_units", request.ValueMilliUnits);
        violations.PastOrTodayDate("reading_date", request.ReadingDate, store.Today);
        violations.ThrowIfAny();

        var reading = store.CreateMeterReading(request, GatewayClient.Of(context), out var replayed);
        if (replayed)
        {
            DemoProviderLog.WriteReplayed(logger, nameof(CreateMeterReading));
        }
        else
        {
            DemoProviderLog.MeterReadingAccepted(logger, reading.ReadingId);
        }

        LostWriteAnswers.ThrowIfLost(faults, store, logger, nameof(CreateMeterReading));
        return Task.FromResult(new CreateMeterReadingResponse { Reading = reading });
    }
}
