using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks the rules of <see cref="ResilienceOptions"/> that tie one value to another, naming each bad key. Each value's
/// own range is declared on it and checked by <see cref="ResilienceOptionsDeclaredValidator"/>.
/// </summary>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    private const string Section = ResilienceOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        var failures = new List<string>();
        // A margin as long as the deadline would end every provider call before it began.
        if (options.DeadlineMargin >= options.DefaultCallDeadline && options.DefaultCallDeadline > TimeSpan.Zero)
        {
            failures.Add($"{Section}:DeadlineMargin must be below {Section}:DefaultCallDeadline ({options.DefaultCallDeadline}); it is {options.DeadlineMargin}.");
        }

        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            failures.Add($"{Section}:Retry:MaxDelay must not be below {Section}:Retry:BaseDelay ({options.Retry.BaseDelay}); it is {options.Retry.MaxDelay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
