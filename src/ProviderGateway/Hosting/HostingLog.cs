namespace ProviderGateway.Hosting;

/// <summary>Log messages of start-up and shutdown.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ProviderGateway serving gRPC (HTTP/2) on {GrpcAddress}, HTTP/1.1 on {HttpAddress} and management (health, metrics) on {ManagementAddress}")]
    public static partial void Serving(ILogger logger, Uri grpcAddress, Uri httpAddress, Uri managementAddress);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Try it: {ExampleCommand}")]
    public static partial void Example(ILogger logger, string exampleCommand);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "No providers configured (Gateway:Providers is empty): running {Count} demo providers in-process with demo data. This is the embedded default, not a production set-up.")]
    public static partial void EmbeddedDemo(ILogger logger, int count);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Routing to {Count} configured providers")]
    public static partial void ConfiguredProviders(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "SECURITY WARNING: no clients configured (Gateway:Security:Clients is empty), so the DEVELOPMENT API KEY '{ApiKey}' is accepted with every permission in every district. It is published in the README: never expose this gateway beyond this machine. Configure clients for any other use.")]
    public static partial void DevelopmentKey(ILogger logger, string apiKey);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Personal-data accesses are journaled to {JournalPath}")]
    public static partial void Journal(ILogger logger, string journalPath);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "SECURITY WARNING: provider {ProviderId} is called over cleartext HTTP on a host that is not loopback (AllowInsecureTransport is set): personal data crosses the network unencrypted")]
    public static partial void InsecureProvider(ILogger logger, string providerId);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "SECURITY WARNING: provider {ProviderId}'s OAuth2 token endpoint {TokenEndpoint} is called over cleartext HTTP on a host that is not loopback (AllowInsecureTransport is set): the client secret or assertion and the tokens cross the network unencrypted")]
    public static partial void InsecureTokenEndpoint(ILogger logger, string providerId, Uri tokenEndpoint);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Front-desk console: open {ConsoleAddress} in a browser")]
    public static partial void DeskConsole(ILogger logger, Uri consoleAddress);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Demo consent authority at {Authority}: client akimat-office (API key {ApiKey}) needs the citizen's consent; the codes it \"sends\" are at GET {Authority}demo/consent/outbox?request_id=… (HTTP/2 cleartext, e.g. PG_CONSENT_AUTHORITY={Authority} tools/grpcurl/consent-code.sh REQUEST_ID)")]
    public static partial void DemoConsentAuthority(ILogger logger, Uri authority, string apiKey);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Signal}: stopping. Not ready from now; calls are taken for {NotReadyDelay} more, then those in flight get up to {DrainTimeout} to finish")]
    public static partial void Stopping(ILogger logger, string signal, TimeSpan notReadyDelay, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Stopping the host: no new connections, HTTP/2 GOAWAY on those open, the calls in flight drained")]
    public static partial void Draining(ILogger logger);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Signal} again while stopping: exiting now, without waiting for the calls in flight")]
    public static partial void StoppingNow(ILogger logger, string signal);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Stopped: the journal written and checkpointed")]
    public static partial void Stopped(ILogger logger);
}
