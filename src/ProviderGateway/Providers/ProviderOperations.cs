using ProviderGateway.Contracts.FrontDesk.V1;
using Land = ProviderGateway.Contracts.LandRegistry.V1;
using Social = ProviderGateway.Contracts.SocialServices.V1;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Providers;

/// <summary>Every provider method the gateway calls, by contract.</summary>
public static class ProviderOperations
{
    /// <summary>Methods of providergateway.utilities.v1.UtilitiesService.</summary>
    public static class Utilities
    {
        /// <summary>A citizen's accounts.</summary>
        public static readonly ProviderOperation<Util.ListAccountsRequest, Util.ListAccountsResponse> ListAccounts = Read<Util.ListAccountsRequest, Util.ListAccountsResponse>("ListAccounts");

        /// <summary>An account's balance.</summary>
        public static readonly ProviderOperation<Util.GetAccountBalanceRequest, Util.GetAccountBalanceResponse> GetAccountBalance = Read<Util.GetAccountBalanceRequest, Util.GetAccountBalanceResponse>("GetAccountBalance");

        /// <summary>An account's invoices.</summary>
        public static readonly ProviderOperation<Util.ListInvoicesRequest, Util.ListInvoicesResponse> ListInvoices = Read<Util.ListInvoicesRequest, Util.ListInvoicesResponse>("ListInvoices");

        /// <summary>An account's payments.</summary>
        public static readonly ProviderOperation<Util.ListPaymentsRequest, Util.ListPaymentsResponse> ListPayments = Read<Util.ListPaymentsRequest, Util.ListPaymentsResponse>("ListPayments");

        /// <summary>Submits a meter reading.</summary>
        public static readonly ProviderOperation<Util.CreateMeterReadingRequest, Util.CreateMeterReadingResponse> CreateMeterReading = new(Util.UtilitiesService.Descriptor, "CreateMeterReading", Domain.Utilities, OperationKind.Write);

        private static ProviderOperation<TRequest, TResponse> Read<TRequest, TResponse>(string method)
            where TRequest : class, Google.Protobuf.IMessage<TRequest>
            where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
            new(Util.UtilitiesService.Descriptor, method, Domain.Utilities, OperationKind.Read);
    }

    /// <summary>Methods of providergateway.landregistry.v1.LandRegistryService.</summary>
    public static class LandRegistry
    {
        /// <summary>A citizen's parcels.</summary>
        public static readonly ProviderOperation<Land.ListParcelsRequest, Land.ListParcelsResponse> ListParcels = Read<Land.ListParcelsRequest, Land.ListParcelsResponse>("ListParcels");

        /// <summary>One parcel.</summary>
        public static readonly ProviderOperation<Land.GetParcelRequest, Land.GetParcelResponse> GetParcel = Read<Land.GetParcelRequest, Land.GetParcelResponse>("GetParcel");

        /// <summary>Orders a certificate.</summary>
        public static readonly ProviderOperation<Land.CreateCertificateOrderRequest, Land.CreateCertificateOrderResponse> CreateCertificateOrder = new(Land.LandRegistryService.Descriptor, "CreateCertificateOrder", Domain.LandRegistry, OperationKind.Write);

        /// <summary>A certificate order's state.</summary>
        public static readonly ProviderOperation<Land.GetCertificateOrderRequest, Land.GetCertificateOrderResponse> GetCertificateOrder = Read<Land.GetCertificateOrderRequest, Land.GetCertificateOrderResponse>("GetCertificateOrder");

        private static ProviderOperation<TRequest, TResponse> Read<TRequest, TResponse>(string method)
            where TRequest : class, Google.Protobuf.IMessage<TRequest>
            where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
            new(Land.LandRegistryService.Descriptor, method, Domain.LandRegistry, OperationKind.Read);
    }

    /// <summary>Methods of providergateway.socialservices.v1.SocialServicesService.</summary>
    public static class SocialServices
    {
        /// <summary>A citizen's benefits.</summary>
        public static readonly ProviderOperation<Social.ListBenefitsRequest, Social.ListBenefitsResponse> ListBenefits = Read<Social.ListBenefitsRequest, Social.ListBenefitsResponse>("ListBenefits");

        /// <summary>A benefit's payments.</summary>
        public static readonly ProviderOperation<Social.ListBenefitPaymentsRequest, Social.ListBenefitPaymentsResponse> ListBenefitPayments = Read<Social.ListBenefitPaymentsRequest, Social.ListBenefitPaymentsResponse>("ListBenefitPayments");

        /// <summary>An eligibility check.</summary>
        public static readonly ProviderOperation<Social.CheckEligibilityRequest, Social.CheckEligibilityResponse> CheckEligibility = Read<Social.CheckEligibilityRequest, Social.CheckEligibilityResponse>("CheckEligibility");

        /// <summary>Submits an application.</summary>
        public static readonly ProviderOperation<Social.CreateApplicationRequest, Social.CreateApplicationResponse> CreateApplication = new(Social.SocialServicesService.Descriptor, "CreateApplication", Domain.SocialServices, OperationKind.Write);

        /// <summary>An application's state.</summary>
        public static readonly ProviderOperation<Social.GetApplicationRequest, Social.GetApplicationResponse> GetApplication = Read<Social.GetApplicationRequest, Social.GetApplicationResponse>("GetApplication");

        private static ProviderOperation<TRequest, TResponse> Read<TRequest, TResponse>(string method)
            where TRequest : class, Google.Protobuf.IMessage<TRequest>
            where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
            new(Social.SocialServicesService.Descriptor, method, Domain.SocialServices, OperationKind.Read);
    }
}
