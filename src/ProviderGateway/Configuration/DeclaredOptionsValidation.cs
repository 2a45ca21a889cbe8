using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// Registers a section's options with the checks declared on their properties (<c>[Range]</c>, <c>[Required]</c>, …), run
/// by a validator the <see cref="OptionsValidatorAttribute"/> source generator writes, each failure naming its key.
/// </summary>
public static class DeclaredOptionsValidation
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, adds <typeparamref name="TDeclared"/> (the
    /// generated validator) with its failures named by key, and validates the section at start-up. The section's
    /// hand-written validator (cross-field rules, files, ids) is registered beside it and runs too.
    /// </summary>
    public static OptionsBuilder<TOptions> AddDeclaredOptions<TOptions, TDeclared>(this IServiceCollection services, string section)
        where TOptions : class
        where TDeclared : IValidateOptions<TOptions>, new()
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new KeyNamingValidator<TOptions>(section, new TDeclared()));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}

/// <summary>
/// Runs a source-generated validator and rewrites each failure to begin with the configuration key it is about, as the
/// hand-written validators' failures do: <c>Gateway:Resilience:Retry:MaxRetries must be between 0 and 10.</c>
/// </summary>
/// <remarks>
/// Translated rather than written into each attribute's <c>ErrorMessage</c>: the generator's copy of
/// <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/> ignores <c>ErrorMessage</c>, and the key of an item
/// of a list (<c>Gateway:Providers:3:MaxConcurrentCalls</c>) is not known when the attribute is written. The generator
/// names each value by a path that starts with the options name it is given (<c>{name}.Retry.MaxRetries</c>,
/// <c>{name}.Providers[3].Deadline</c>); given the section as that name, the path is the key with '.' and '[n]' for ':'.
/// An attribute's own <c>ErrorMessage</c> (where the generator keeps it: <c>[Required]</c>, <c>[MinLength]</c>) starts
/// with <c>{0}</c>, that path, and is translated alike.
/// </remarks>
public sealed partial class KeyNamingValidator<TOptions>(string section, IValidateOptions<TOptions> declared) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        // The gateway's sections are unnamed options: the name handed to the generated validator is only the path's root.
        var result = declared.Validate(section, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures.Select(NameKey)) : result;
    }

    /// <summary>
    /// <c>MaxRetries: The field Gateway:Resilience.Retry.MaxRetries must be between 0 and 10.</c> becomes
    /// <c>Gateway:Resilience:Retry:MaxRetries must be between 0 and 10.</c>; a failure of another shape is prefixed
    /// with the section.
    /// </summary>
    internal string NameKey(string failure)
    {
        var match = GeneratedFailure().Match(failure);
        if (!match.Success || !match.Groups["path"].Value.StartsWith(section, StringComparison.Ordinal))
        {
            return $"{section}: {failure}";
        }

        var key = match.Groups["path"].Value.Replace('.', ':').Replace('[', ':').Replace("]", "", StringComparison.Ordinal);
        return $"{key} {match.Groups["rest"].Value}";
    }

    // "Member: " (the builder's), then "The field PATH rest", "The PATH field rest" or "PATH rest" (an ErrorMessage of ours).
    [GeneratedRegex(@"^(?:\w+: )?(?:The field |The )?(?<path>\S+?)(?: field)? (?<rest>.+)$", RegexOptions.Singleline)]
    private static partial Regex GeneratedFailure();
}

/// <summary>Bounds the options' declared ranges share.</summary>
internal static class OptionBounds
{
    /// <summary>Zero, the lower bound of durations (exclusive where a duration must be above it).</summary>
    public const string Zero = "00:00:00";

    /// <summary>The longest of the gateway's timeouts, intervals and windows: a day (longer is a typo, not a setting).</summary>
    public const string Day = "1.00:00:00";
}
