using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Validation;

/// <summary>
/// Validates every front-desk request before anything is routed or called, reporting all problems of
/// a request at once as INVALID_ARGUMENT with a <c>google.rpc.BadRequest</c> whose field paths name
/// the request fields.
/// </summary>
public sealed partial class FrontDeskRequestValidator(IOptions<GatewayOptions> options, TimeProvider time)
{
    // The gateway's own page tokens carry a cursor per provider, so they are longer than a provider's.
    private const int MaximumPageTokenLength = 8192;

    // Kazakhstan has one time zone, UTC+5, since March 2024; "today" for a meter reading is local.
    private static readonly TimeSpan KazakhstanOffset = TimeSpan.FromHours(5);

    private readonly Regex _cadastralPattern = new(options.Value.CadastralNumberPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    /// <summary>Validates a citizen overview request.</summary>
    public void Validate(GetCitizenOverviewRequest request) =>
        Check(v => Citizen(v, request.Iin, request.KatoCode));

    /// <summary>Validates a streamed citizen overview request (the same rules as the overview's).</summary>
    public void Validate(StreamCitizenOverviewRequest request) =>
        Check(v => Citizen(v, request.Iin, request.KatoCode));

    /// <summary>Validates a request for a citizen's accounts.</summary>
    public void Validate(ListUtilityAccountsRequest request) =>
        Check(v => CitizenPage(v, request.Iin, request.KatoCode, request.PageSize, request.PageToken));

    /// <summary>Validates a request for an account balance.</summary>
    public void Validate(GetUtilityAccountBalanceRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.AccountNumber("account_number", request.AccountNumber);
    });

    /// <summary>Validates a request for an account's invoices.</summary>
    public void Validate(ListUtilityInvoicesRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.AccountNumber("account_number", request.AccountNumber);
        v.Paging(request.PageSize, request.PageToken, MaximumPageTokenLength);
    });

    /// <summary>Validates a request for an account's payments.</summary>
    public void Validate(ListUtilityPaymentsRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.AccountNumber("account_number", request.AccountNumber);
        v.Paging(request.PageSize, request.PageToken, MaximumPageTokenLength);
    });

    /// <summary>Validates a meter reading.</summary>
    public void Validate(Contracts.FrontDesk.V1.CreateMeterReadingRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.RequestId("request_id", request.RequestId);
        v.Iin("iin", request.Iin);
        v.AccountNumber("account_number", request.AccountNumber);
        v.MeterId("meter_id", request.MeterId);
        v.NotNegative("value_milli_units", request.ValueMilliUnits);
        v.PastOrTodayDate("reading_date", request.ReadingDate, Today());
        v.DefinedEnum("delivery_mode", request.DeliveryMode, required: false);
    });

    /// <summary>Validates a request for a citizen's parcels.</summary>
    public void Validate(Contracts.FrontDesk.V1.ListParcelsRequest request) =>
        Check(v => CitizenPage(v, request.Iin, request.KatoCode, request.PageSize, request.PageToken));

    /// <summary>Validates a request for one parcel.</summary>
    public void Validate(Contracts.FrontDesk.V1.GetParcelRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.CadastralNumber("cadastral_number", request.CadastralNumber, _cadastralPattern);
        if (request.Iin.Length > 0)
        {
            v.Iin("iin", request.Iin);
        }
    });

    /// <summary>Validates a certificate order.</summary>
    public void Validate(Contracts.FrontDesk.V1.CreateCertificateOrderRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.RequestId("request_id", request.RequestId);
        v.Iin("iin", request.Iin);
        v.DefinedEnum("certificate_type", request.CertificateType, required: true);
        v.DefinedEnum("delivery_mode", request.DeliveryMode, required: false);
        if (request.CertificateType == CertificateType.RealEstateOwnership)
        {
            if (request.CadastralNumber.Length > 0)
            {
                v.Add("cadastral_number", "A certificate of real estate ownership covers the whole country: leave cadastral_number empty.", "CADASTRAL_NUMBER_NOT_ALLOWED");
            }
        }
        else if (request.CertificateType is CertificateType.RightsAndEncumbrances or CertificateType.RightsHistory)
        {
            v.CadastralNumber("cadastral_number", request.CadastralNumber, _cadastralPattern);
        }
    });

    /// <summary>Validates a request for a certificate order's state.</summary>
    public void Validate(Contracts.FrontDesk.V1.GetCertificateOrderRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.ResourceId("order_id", request.OrderId, "an order id");
    });

    /// <summary>Validates a request for a citizen's benefits.</summary>
    public void Validate(Contracts.FrontDesk.V1.ListBenefitsRequest request) =>
        Check(v => CitizenPage(v, request.Iin, request.KatoCode, request.PageSize, request.PageToken));

    /// <summary>Validates a request for a benefit's payments.</summary>
    public void Validate(Contracts.FrontDesk.V1.ListBenefitPaymentsRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.ResourceId("benefit_id", request.BenefitId, "a benefit id");
        v.Paging(request.PageSize, request.PageToken, MaximumPageTokenLength);
    });

    /// <summary>Validates an eligibility check.</summary>
    public void Validate(CheckBenefitEligibilityRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.DefinedEnum("benefit_type", request.BenefitType, required: true);
    });

    /// <summary>Validates a benefit application.</summary>
    public void Validate(CreateBenefitApplicationRequest request) => Check(v =>
    {
        OptionalProviderId(v, "provider_id", request.ProviderId);
        v.KatoCode("kato_code", request.KatoCode);
        v.RequestId("request_id", request.RequestId);
        v.Iin("iin", request.Iin);
        v.DefinedEnum("benefit_type", request.BenefitType, required: true);
        v.DefinedEnum("delivery_mode", request.DeliveryMode, required: false);
    });

    /// <summary>Validates a request for an application's state.</summary>
    public void Validate(GetBenefitApplicationRequest request) => Check(v =>
    {
        Route(v, request.ProviderId, request.KatoCode);
        v.Iin("iin", request.Iin);
        v.ResourceId("application_id", request.ApplicationId, "an application id");
    });

    /// <summary>Validates a provider directory request.</summary>
    public void Validate(ListProvidersRequest request) => Check(v =>
    {
        v.Paging(request.PageSize, request.PageToken, MaximumPageTokenLength);
        v.DefinedEnum("domain", request.Domain, required: false);
        v.OptionalKatoCode("kato_code", request.KatoCode);
    });

    /// <summary>Validates a request for one submission.</summary>
    public void Validate(GetSubmissionRequest request) => Check(v => SubmissionId(v, request.SubmissionId));

    /// <summary>Validates the cancellation of a submission.</summary>
    public void Validate(CancelSubmissionRequest request) => Check(v => SubmissionId(v, request.SubmissionId));

    /// <summary>Validates a listing of submissions.</summary>
    public void Validate(ListSubmissionsRequest request) => Check(v =>
    {
        v.Paging(request.PageSize, request.PageToken, MaximumPageTokenLength);
        if (request.Iin.Length > 0)
        {
            v.Iin("iin", request.Iin);
        }

        v.DefinedEnum("state", request.State, required: false);
    });

    /// <summary>Validates a consent request: the citizen, at least one scope (each once), a term of 1 minute to 365 days.</summary>
    public void Validate(Contracts.FrontDesk.V1.RequestConsentRequest request) => Check(v =>
    {
        v.Iin("iin", request.Iin);
        if (request.Scopes.Count == 0)
        {
            v.Add("scopes", "scopes is required: the kinds of data the consent covers (CONSENT_SCOPE_UTILITIES …).", "CONSENT_SCOPES_MISSING");
        }
        else if (request.Scopes.Any(s => s == Contracts.Consent.V1.ConsentScope.Unspecified || !Enum.IsDefined(s)))
        {
            v.Add("scopes", "Each scope is one of CONSENT_SCOPE_UTILITIES, CONSENT_SCOPE_LAND_REGISTRY, CONSENT_SCOPE_SOCIAL_SERVICES, CONSENT_SCOPE_ACCESS_HISTORY.", "CONSENT_SCOPE_UNKNOWN");
        }
        else if (request.Scopes.Distinct().Count() != request.Scopes.Count)
        {
            v.Add("scopes", "A scope is named twice.", "CONSENT_SCOPE_REPEATED");
        }

        if (request.Term is null)
        {
            v.Add("term", "term is required: how long the consent lasts (1 minute to 365 days).", "CONSENT_TERM_MISSING");
        }
        else if (request.Term.Nanos is < 0 or > 999_999_999 || request.Term.Seconds < 60 || request.Term.Seconds > 365 * 86_400 || (request.Term.Seconds == 365 * 86_400 && request.Term.Nanos > 0))
        {
            v.Add("term", "A consent lasts 1 minute to 365 days.", "CONSENT_TERM_OUT_OF_RANGE");
        }
    });

    /// <summary>Validates a consent confirmation: the request's id and a 6-digit code.</summary>
    public void Validate(Contracts.FrontDesk.V1.ConfirmConsentRequest request) => Check(v =>
    {
        if (request.RequestId.Length == 0)
        {
            v.Add("request_id", "request_id is required: the id RequestConsent answered.", "CONSENT_REQUEST_ID_MISSING");
        }
        else if (request.RequestId.Length > 64 || !request.RequestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            v.Add("request_id", "request_id is at most 64 of letters, digits, '-' and '_', as RequestConsent answered it.", "CONSENT_REQUEST_ID_MALFORMED");
        }

        if (request.Code.Length != 6 || !request.Code.All(char.IsAsciiDigit))
        {
            v.Add("code", "code is the 6 digits the citizen received.", "CONSENT_CODE_MALFORMED");
        }
    });

    /// <summary>Validates an access history request: the citizen, a time range of at most 366 days, paging.</summary>
    public void Validate(ListDataAccessesRequest request) => Check(v =>
    {
        v.Iin("iin", request.Iin);
        var start = Instant(v, "start_time", request.StartTime);
        var end = Instant(v, "end_time", request.EndTime);
        if (start is { } from && end is { } to)
        {
            if (to <= from)
            {
                v.Add("end_time", "end_time must be after start_time.", "TIME_RANGE_EMPTY");
            }
            else if (to - from > TimeSpan.FromDays(366))
            {
                v.Add("end_time", "A time range is at most 366 days: list a long period a year at a time.", "TIME_RANGE_TOO_LONG");
            }
        }

        // Its own bounds (50 by default, at most 500), not the providers' listings' 100.
        if (request.PageSize < 0)
        {
            v.Add("page_size", "page_size must be zero (50 accesses) or positive; at most 500 accesses are returned.", "PAGE_SIZE_NEGATIVE");
        }

        v.Paging(0, request.PageToken, MaximumPageTokenLength);
    });

    private static DateTimeOffset? Instant(FieldViolations v, string field, Google.Protobuf.WellKnownTypes.Timestamp? value)
    {
        if (value is null)
        {
            v.Add(field, $"{field} is required.", "TIME_MISSING");
            return null;
        }

        // google.protobuf.Timestamp's range: 0001-01-01 to 9999-12-31, nanos 0 to 999,999,999.
        if (value.Seconds < -62_135_596_800 || value.Seconds > 253_402_300_799 || value.Nanos is < 0 or > 999_999_999)
        {
            v.Add(field, $"{field} is not a valid timestamp.", "TIME_INVALID");
            return null;
        }

        return value.ToDateTimeOffset();
    }

    /// <summary>
    /// Validates any front-desk request, as its own Validate would: the consent check (which runs before the method, and
    /// would otherwise ask the authority about a malformed request) uses it.
    /// </summary>
    /// <exception cref="InvalidOperationException">For a request type this validator does not know.</exception>
    public void ValidateAny(Google.Protobuf.IMessage request)
    {
        switch (request)
        {
            case GetCitizenOverviewRequest r: Validate(r); break;
            case StreamCitizenOverviewRequest r: Validate(r); break;
            case ListUtilityAccountsRequest r: Validate(r); break;
            case GetUtilityAccountBalanceRequest r: Validate(r); break;
            case ListUtilityInvoicesRequest r: Validate(r); break;
            case ListUtilityPaymentsRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.CreateMeterReadingRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.ListParcelsRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.GetParcelRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.CreateCertificateOrderRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.GetCertificateOrderRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.ListBenefitsRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.ListBenefitPaymentsRequest r: Validate(r); break;
            case CheckBenefitEligibilityRequest r: Validate(r); break;
            case CreateBenefitApplicationRequest r: Validate(r); break;
            case GetBenefitApplicationRequest r: Validate(r); break;
            case ListProvidersRequest r: Validate(r); break;
            case GetSubmissionRequest r: Validate(r); break;
            case CancelSubmissionRequest r: Validate(r); break;
            case ListSubmissionsRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.RequestConsentRequest r: Validate(r); break;
            case Contracts.FrontDesk.V1.ConfirmConsentRequest r: Validate(r); break;
            case ListDataAccessesRequest r: Validate(r); break;
            default: throw new InvalidOperationException($"No validation of {request.Descriptor.FullName}.");
        }
    }

    private static void SubmissionId(FieldViolations v, string value)
    {
        if (value.Length == 0)
        {
            v.Add("submission_id", "submission_id is required: the id in the submission's receipt.", "SUBMISSION_ID_MISSING");
        }
        else if (value.Length != 36 || !Guid.TryParseExact(value, "D", out _))
        {
            v.Add("submission_id", "submission_id must be a UUID (8-4-4-4-12 hexadecimal digits), as in the submission's receipt.", "SUBMISSION_ID_MALFORMED");
        }
    }

    private static void Check(Action<FieldViolations> rules)
    {
        var violations = new FieldViolations();
        rules(violations);
        violations.ThrowIfAny();
    }

    private static void Citizen(FieldViolations v, string iin, string katoCode)
    {
        v.Iin("iin", iin);
        v.OptionalKatoCode("kato_code", katoCode);
    }

    private static void CitizenPage(FieldViolations v, string iin, string katoCode, int pageSize, string pageToken)
    {
        Citizen(v, iin, katoCode);
        v.Paging(pageSize, pageToken, MaximumPageTokenLength);
    }

    private static void Route(FieldViolations v, string providerId, string katoCode)
    {
        OptionalProviderId(v, "provider_id", providerId);
        v.OptionalKatoCode("kato_code", katoCode);
    }

    private static void OptionalProviderId(FieldViolations v, string field, string value)
    {
        if (value.Length > 0 && ProviderId.Validate(value) is { } problem)
        {
            v.Add(field, problem.Description, problem.Reason);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(KazakhstanOffset).DateTime);
}
