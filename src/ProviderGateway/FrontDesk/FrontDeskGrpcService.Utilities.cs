using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Delivery;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.FrontDesk;

/// <summary>The utilities methods of the front desk.</summary>
public sealed partial class FrontDeskGrpcService
{
    /// <inheritdoc />
    public override Task<ListUtilityAccountsResponse> ListUtilityAccounts(ListUtilityAccountsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListUtilityAccountsCore(r, c));

    private async Task<ListUtilityAccountsResponse> ListUtilityAccountsCore(ListUtilityAccountsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        var page = await lister.ListAsync(
            ProviderOperations.Utilities.ListAccounts,
            request.Iin,
            request.KatoCode,
            request.PageSize,
            request.PageToken,
            (size, token) => new Util.ListAccountsRequest { Iin = request.Iin, PageSize = size, PageToken = token },
            answer => answer.NextPageToken,
            desk);

        var response = new ListUtilityAccountsResponse { NextPageToken = page.NextPageToken };
        foreach (var outcome in page.Outcomes)
        {
            response.Sources.Add(outcome.ToSourceStatus(desk.Language));
            response.Accounts.AddRange(districts.Visible(desk, outcome.Response?.Accounts ?? []).Select(a => new UtilityAccount { ProviderId = outcome.Provider.Id, Account = a }));
        }

        return response;
    }

    /// <inheritdoc />
    public override Task<GetUtilityAccountBalanceResponse> GetUtilityAccountBalance(GetUtilityAccountBalanceRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.GetUtilityAccountBalanceCore(r, c));

    private async Task<GetUtilityAccountBalanceResponse> GetUtilityAccountBalanceCore(GetUtilityAccountBalanceRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        await districts.EnsureAccountVisibleAsync(request.ProviderId, request.KatoCode, request.Iin, request.AccountNumber, desk);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.Utilities.GetAccountBalance,
            new Util.GetAccountBalanceRequest { Iin = request.Iin, AccountNumber = request.AccountNumber },
            desk);
        return new GetUtilityAccountBalanceResponse { Balance = answer.Balance, Source = source };
    }

    /// <inheritdoc />
    public override Task<ListUtilityInvoicesResponse> ListUtilityInvoices(ListUtilityInvoicesRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListUtilityInvoicesCore(r, c));

    private async Task<ListUtilityInvoicesResponse> ListUtilityInvoicesCore(ListUtilityInvoicesRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        await districts.EnsureAccountVisibleAsync(request.ProviderId, request.KatoCode, request.Iin, request.AccountNumber, desk);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.Utilities.ListInvoices,
            new Util.ListInvoicesRequest { Iin = request.Iin, AccountNumber = request.AccountNumber, PageSize = request.PageSize, PageToken = request.PageToken },
            desk);
        return new ListUtilityInvoicesResponse { Invoices = { answer.Invoices }, NextPageToken = answer.NextPageToken, Source = source };
    }

    /// <inheritdoc />
    public override Task<ListUtilityPaymentsResponse> ListUtilityPayments(ListUtilityPaymentsRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.ListUtilityPaymentsCore(r, c));

    private async Task<ListUtilityPaymentsResponse> ListUtilityPaymentsCore(ListUtilityPaymentsRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        await districts.EnsureAccountVisibleAsync(request.ProviderId, request.KatoCode, request.Iin, request.AccountNumber, desk);
        var (answer, source) = await pipeline.CallOneAsync(
            request.ProviderId,
            request.KatoCode,
            ProviderOperations.Utilities.ListPayments,
            new Util.ListPaymentsRequest { Iin = request.Iin, AccountNumber = request.AccountNumber, PageSize = request.PageSize, PageToken = request.PageToken },
            desk);
        return new ListUtilityPaymentsResponse { Payments = { answer.Payments }, NextPageToken = answer.NextPageToken, Source = source };
    }

    /// <inheritdoc />
    public override Task<CreateMeterReadingResponse> CreateMeterReading(CreateMeterReadingRequest request, ServerCallContext context) =>
        guard.Run(this, request, context, static (service, r, c) => service.CreateMeterReadingCore(r, c));

    private async Task<CreateMeterReadingResponse> CreateMeterReadingCore(CreateMeterReadingRequest request, ServerCallContext context)
    {
        validator.Validate(request);
        var desk = deskContexts.For(context);
        await districts.EnsureAccountVisibleAsync(request.ProviderId, request.KatoCode, request.Iin, request.AccountNumber, desk);
        var written = await submissions.WriteAsync(
            SubmittableWrites.MeterReading,
            request.ProviderId,
            request.KatoCode,
            new Util.CreateMeterReadingRequest
            {
                RequestId = request.RequestId,
                Iin = request.Iin,
                AccountNumber = request.AccountNumber,
                MeterId = request.MeterId,
                ValueMilliUnits = request.ValueMilliUnits,
                ReadingDate = request.ReadingDate,
            },
            request.RequestId,
            request.Iin,
            request.DeliveryMode,
            desk);
        return new CreateMeterReadingResponse { Reading = written.Answer?.Reading, Source = written.Source, Submission = written.Submission };
    }
}
