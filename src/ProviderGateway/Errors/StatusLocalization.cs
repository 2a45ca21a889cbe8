using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using ProviderGateway.Contracts.Localization;

namespace ProviderGateway.Errors;

/// <summary>
/// Puts the people's message of an error, in the call's language, into its <c>google.rpc.Status</c>: a
/// <c>google.rpc.LocalizedMessage</c> from the message of its ErrorInfo's reason (<see cref="ErrorMessages"/>), and
/// the <c>localized_message</c> of each BadRequest field violation from its reason. The status's own message stays
/// English, for developers and logs. A status without an ErrorInfo, or whose reason has no message, is left as it is
/// (a provider's own reasons, say); one with a LocalizedMessage already keeps it.
/// </summary>
public static class StatusLocalization
{
    /// <summary>The language and the provider names a status is localized with.</summary>
    /// <param name="Language">One of <see cref="ErrorMessages.Languages"/>.</param>
    /// <param name="ProviderName">A provider's display name in <paramref name="Language"/> from its id, or <c>null</c>.</param>
    public readonly record struct Target(string Language, Func<string, string?> ProviderName);

    /// <summary>
    /// A copy of <paramref name="status"/> with its localized messages (an OK one too when it carries a notice, such as
    /// data served stale); <paramref name="status"/> itself when it has no details or a LocalizedMessage already.
    /// </summary>
    public static Status Localized(Status status, Target target)
    {
        if (status.Details.Count == 0 || status.Details.Any(d => d.Is(LocalizedMessage.Descriptor)))
        {
            return status;
        }

        var copy = status.Clone();
        ErrorInfo? info = null;
        for (var i = 0; i < copy.Details.Count; i++)
        {
            if (copy.Details[i].Is(ErrorInfo.Descriptor))
            {
                info ??= copy.Details[i].Unpack<ErrorInfo>();
            }
            else if (copy.Details[i].Is(BadRequest.Descriptor))
            {
                copy.Details[i] = Any.Pack(Localized(copy.Details[i].Unpack<BadRequest>(), target.Language));
            }
        }

        if (info is null)
        {
            return copy;
        }

        var values = new Dictionary<string, string>(info.Metadata, StringComparer.Ordinal);
        if (info.Metadata.TryGetValue("provider_id", out var providerId))
        {
            values["provider"] = target.ProviderName(providerId) ?? providerId;
        }

        info.Metadata.TryGetValue("refusal", out var refusal);
        if (ErrorMessages.Find(info.Reason, target.Language, refusal, values) is { } message)
        {
            copy.Details.Add(Any.Pack(new LocalizedMessage { Locale = target.Language, Message = message }));
        }

        return copy;
    }

    private static BadRequest Localized(BadRequest badRequest, string language)
    {
        foreach (var violation in badRequest.FieldViolations)
        {
            if (violation.LocalizedMessage is null && ErrorMessages.Find(violation.Reason, language) is { } message)
            {
                violation.LocalizedMessage = new LocalizedMessage { Locale = language, Message = message };
            }
        }

        return badRequest;
    }
}

/// <summary>
/// What the error writers need to localize a call's statuses: its language (from <c>accept-language</c>, else the
/// gateway's default) and the providers' names in it. Implemented by <c>Localization/CallLanguages</c>.
/// </summary>
public interface ICallLanguages
{
    /// <summary>The language and provider names of the call of <paramref name="context"/>.</summary>
    StatusLocalization.Target TargetOf(HttpContext context);
}
