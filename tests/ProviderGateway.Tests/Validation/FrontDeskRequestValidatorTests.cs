using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using CertificateType = ProviderGateway.Contracts.LandRegistry.V1.CertificateType;
using ProviderGateway.Validation;

namespace ProviderGateway.Tests.Validation;

public sealed class FrontDeskRequestValidatorTests
{
    private const string ValidIin = "791028302728";

    // 2026-11-27 20:00 UTC is already 28 November in Kazakhstan (UTC+5).
    private static readonly FrontDeskRequestValidator Validator = new(
        Options.Create(new GatewayOptions()),
        new FixedTime(new DateTimeOffset(2026, 11, 27, 20, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void Every_invalid_field_is_reported_in_one_answer()
    {
        var request = new ListUtilityAccountsRequest { Iin = "12345", KatoCode = "12", PageSize = -1, PageToken = "x\u0001" };

        var fields = Violations(() => Validator.Validate(request)).Select(v => v.Field);

        Assert.Equal(["iin", "kato_code", "page_size", "page_token"], fields);
    }

    [Fact]
    public void A_valid_overview_request_passes()
    {
        Validator.Validate(new GetCitizenOverviewRequest { Iin = ValidIin, KatoCode = "195200000" });
    }

    [Fact]
    public void A_meter_reading_needs_a_UUID_request_id_and_a_reading_date_not_in_the_future()
    {
        var request = new CreateMeterReadingRequest
        {
            RequestId = "42",
            Iin = ValidIin,
            AccountNumber = "AP-1952-000123",
            MeterId = "M1",
            ValueMilliUnits = -5,
            ReadingDate = new Google.Type.Date { Year = 2026, Month = 11, Day = 29 },
        };

        var violations = Violations(() => Validator.Validate(request));

        Assert.Equal(["request_id", "value_milli_units", "reading_date"], violations.Select(v => v.Field));
        Assert.Equal("REQUEST_ID_MALFORMED", violations[0].Reason);
        Assert.Equal("DATE_IN_FUTURE", violations[2].Reason);
    }

    [Fact]
    public void Today_is_taken_in_Kazakhstan_time()
    {
        var request = new CreateMeterReadingRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = ValidIin,
            AccountNumber = "AP-1952-000123",
            MeterId = "M1",
            ValueMilliUnits = 5,
            ReadingDate = new Google.Type.Date { Year = 2026, Month = 11, Day = 28 },
        };

        Validator.Validate(request);
    }

    [Theory]
    [InlineData(2026, 2, 30)]
    [InlineData(2026, 13, 1)]
    [InlineData(0, 0, 0)]
    public void An_impossible_reading_date_is_rejected(int year, int month, int day)
    {
        var request = new CreateMeterReadingRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Iin = ValidIin,
            AccountNumber = "AP-1",
            MeterId = "M1",
            ReadingDate = new Google.Type.Date { Year = year, Month = month, Day = day },
        };

        var violation = Assert.Single(Violations(() => Validator.Validate(request)));

        Assert.Equal("reading_date", violation.Field);
    }

    [Fact]
    public void A_rights_certificate_needs_a_cadastral_number_and_an_ownership_certificate_refuses_one()
    {
        var rights = new CreateCertificateOrderRequest { RequestId = Guid.NewGuid().ToString(), Iin = ValidIin, CertificateType = CertificateType.RightsAndEncumbrances };
        var ownership = new CreateCertificateOrderRequest { RequestId = Guid.NewGuid().ToString(), Iin = ValidIin, CertificateType = CertificateType.RealEstateOwnership, CadastralNumber = "03-047-155-123" };

        Assert.Equal("CADASTRAL_NUMBER_MISSING", Assert.Single(Violations(() => Validator.Validate(rights))).Reason);
        Assert.Equal("CADASTRAL_NUMBER_NOT_ALLOWED", Assert.Single(Violations(() => Validator.Validate(ownership))).Reason);
    }

    [Theory]
    [InlineData("03-047-155-123", true)]
    [InlineData("03047155123", false)]
    [InlineData("03-047-155-12", false)]
    [InlineData("03-047-155-123\n", false)]
    public void Cadastral_numbers_follow_the_configured_pattern(string cadastralNumber, bool valid)
    {
        var request = new GetParcelRequest { CadastralNumber = cadastralNumber };

        var violations = Violations(() => Validator.Validate(request));

        Assert.Equal(valid, violations.Count == 0);
    }

    [Fact]
    public void Unknown_and_missing_enum_values_are_rejected()
    {
        var unknown = new CheckBenefitEligibilityRequest { Iin = ValidIin, BenefitType = (Contracts.SocialServices.V1.BenefitType)99 };
        var missing = new CheckBenefitEligibilityRequest { Iin = ValidIin };

        Assert.Equal("ENUM_VALUE_UNKNOWN", Assert.Single(Violations(() => Validator.Validate(unknown))).Reason);
        Assert.Equal("ENUM_VALUE_MISSING", Assert.Single(Violations(() => Validator.Validate(missing))).Reason);
    }

    [Fact]
    public void A_malformed_provider_id_is_rejected()
    {
        var request = new GetUtilityAccountBalanceRequest { ProviderId = "Power Co", Iin = ValidIin, AccountNumber = "AP-1" };

        Assert.Equal("provider_id", Assert.Single(Violations(() => Validator.Validate(request))).Field);
    }

    [Fact]
    public void An_access_history_request_needs_the_citizen_a_range_of_at_most_366_days_and_a_page_size_not_negative()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(5));
        ListDataAccessesRequest Request(DateTimeOffset? from, DateTimeOffset? to, int pageSize = 0, string iin = ValidIin) => new()
        {
            Iin = iin,
            StartTime = from is { } f ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(f) : null,
            EndTime = to is { } t ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(t) : null,
            PageSize = pageSize,
        };

        Validator.Validate(Request(start, start.AddDays(366), pageSize: 10_000));
        Assert.Equal(["start_time:TIME_MISSING", "end_time:TIME_MISSING"], Reasons(Request(null, null)));
        Assert.Equal(["end_time:TIME_RANGE_EMPTY"], Reasons(Request(start, start)));
        Assert.Equal(["end_time:TIME_RANGE_TOO_LONG"], Reasons(Request(start, start.AddDays(366).AddTicks(10))));
        Assert.Equal(["iin:IIN_CHECK_DIGIT_MISMATCH", "page_size:PAGE_SIZE_NEGATIVE"], Reasons(Request(start, start.AddDays(1), pageSize: -1, iin: "791028302729")));
        Assert.Contains("at most 500", Assert.Single(Violations(() => Validator.Validate(Request(start, start.AddDays(1), pageSize: -1)))).Description, StringComparison.Ordinal);
        var badNanos = Request(start, start.AddDays(1));
        badNanos.EndTime.Nanos = 1_000_000_000;
        Assert.Equal(["end_time:TIME_INVALID"], Reasons(badNanos));

        static List<string> Reasons(ListDataAccessesRequest request) => [.. Violations(() => Validator.Validate(request)).Select(v => $"{v.Field}:{v.Reason}")];
    }

    private static List<BadRequest.Types.FieldViolation> Violations(Action validate)
    {
        try
        {
            validate();
            return [];
        }
        catch (RpcException ex)
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            return [.. ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations];
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
