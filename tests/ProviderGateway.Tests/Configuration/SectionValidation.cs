using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

/// <summary>Runs every validator the gateway registers for a section, declared (generated) and hand-written, as start-up does.</summary>
internal static class SectionValidation
{
    public static List<string> Failures(GatewayOptions options) =>
        Run(options, GatewayOptions.SectionName, new GatewayOptionsDeclaredValidator(), new GatewayOptionsValidator());

    public static List<string> Failures(CachingOptions options) =>
        Run(options, CachingOptions.SectionName, new CachingOptionsDeclaredValidator(), new CachingOptionsValidator(Options.Create(new GatewayOptions())));

    public static List<string> Failures(ResilienceOptions options) =>
        Run(options, ResilienceOptions.SectionName, new ResilienceOptionsDeclaredValidator(), new ResilienceOptionsValidator());

    public static List<string> Failures(SecurityOptions options) =>
        Run(options, SecurityOptions.SectionName, new SecurityOptionsDeclaredValidator(), new SecurityOptionsValidator());

    public static List<string> Failures(GatewayTelemetryOptions options) =>
        Run(options, GatewayTelemetryOptions.SectionName, new GatewayTelemetryOptionsDeclaredValidator(), new GatewayTelemetryOptionsValidator());

    public static List<string> Failures(SubmissionOptions options) =>
        Run(options, SubmissionOptions.SectionName, new SubmissionOptionsDeclaredValidator(), new SubmissionOptionsValidator());

    private static List<string> Run<TOptions>(TOptions options, string section, IValidateOptions<TOptions> declared, IValidateOptions<TOptions> handWritten)
        where TOptions : class =>
        [.. new[] { new KeyNamingValidator<TOptions>(section, declared), handWritten }.SelectMany(v => v.Validate(Options.DefaultName, options).Failures ?? [])];
}
