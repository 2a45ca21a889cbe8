using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

// The checks each options class declares on its properties (ranges, required values, nested sections and list items),
// written at build time by the options source generator. Registered through
// DeclaredOptionsValidation.AddDeclaredOptions, which names each failure by its key; the rules across fields, files and
// lists are the hand-written XOptionsValidator beside each. BrowserDesksOptions declares nothing: its origins' rules are
// all BrowserDesksOptionsValidator's.

/// <summary>Checks what <see cref="GatewayOptions"/> and each of its providers declare (generated).</summary>
[OptionsValidator]
public sealed partial class GatewayOptionsDeclaredValidator : IValidateOptions<GatewayOptions>;

/// <summary>Checks what <see cref="CachingOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class CachingOptionsDeclaredValidator : IValidateOptions<CachingOptions>;

/// <summary>Checks what <see cref="ResilienceOptions"/>, its retries and its circuit breaker declare (generated).</summary>
[OptionsValidator]
public sealed partial class ResilienceOptionsDeclaredValidator : IValidateOptions<ResilienceOptions>;

/// <summary>Checks what <see cref="SecurityOptions"/>, its clients, rate limits, journal and page tokens declare (generated).</summary>
[OptionsValidator]
public sealed partial class SecurityOptionsDeclaredValidator : IValidateOptions<SecurityOptions>;

/// <summary>Checks what <see cref="GatewayTelemetryOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class GatewayTelemetryOptionsDeclaredValidator : IValidateOptions<GatewayTelemetryOptions>;

/// <summary>Checks what <see cref="SubmissionOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class SubmissionOptionsDeclaredValidator : IValidateOptions<SubmissionOptions>;

/// <summary>Checks what <see cref="ConsentOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class ConsentOptionsDeclaredValidator : IValidateOptions<ConsentOptions>;

/// <summary>Checks what <see cref="AccessHistoryOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class AccessHistoryOptionsDeclaredValidator : IValidateOptions<AccessHistoryOptions>;

/// <summary>Checks what <see cref="ShutdownOptions"/> declares (generated).</summary>
[OptionsValidator]
public sealed partial class ShutdownOptionsDeclaredValidator : IValidateOptions<ShutdownOptions>;
