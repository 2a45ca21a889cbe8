namespace ProviderGateway.Providers;

/// <summary>Log messages of the gateway's credentials towards providers. They never hold a secret or a token.</summary>
internal static partial class ProvidersLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Provider {ProviderId}: access token obtained from {TokenEndpoint}, valid {LifetimeSeconds:F0} s")]
    public static partial void TokenObtained(ILogger logger, string providerId, Uri tokenEndpoint, double lifetimeSeconds);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Provider {ProviderId}: no access token, so its calls fail with PROVIDER_AUTHENTICATION_FAILED: {Reason} Check its OAuth2 settings (asked again after 5 s at the earliest)")]
    public static partial void TokenRequestRefused(ILogger logger, string providerId, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Provider {ProviderId}: no access token, so its calls fail as UNAVAILABLE (stale answers are served where there are): {Reason} (asked again after 5 s at the earliest)")]
    public static partial void TokenRequestFailed(ILogger logger, string providerId, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Provider {ProviderId} refused the gateway's access token on {Method}: the call is retried once with a new token")]
    public static partial void TokenRefused(ILogger logger, string providerId, string method);
}
