using Microsoft.Extensions.Options;
using ProviderGateway.Hosting;

// The whole process is assembled in Hosting/GatewayApplication.cs, which the end-to-end tests also use: the services
// (Hosting/GatewayBuilderExtensions.cs), then every request's path in this order (Hosting/GatewayEndpointExtensions.cs,
// MapProviderGateway): its arrival (the desk's clock starts) -> routing -> management port apart -> which front-desk
// method it is -> framework statuses given details -> client authentication -> rate limit -> exact path only ->
// the gRPC service, inside its interceptors: desk-call count, unexpected failures, access control and the journal.
// README "Architecture" walks an overview through every folder down to the provider call.
try
{
    await using var gateway = await GatewayApplication.CreateAsync(args);
    await gateway.RunAsync();
}
catch (OptionsValidationException invalid)
{
    // The configuration is wrong: every problem, each naming its key, and no stack trace.
    Console.Error.WriteLine($"ProviderGateway did not start: {invalid.Failures.Count()} configuration problem(s):");
    foreach (var failure in invalid.Failures)
    {
        Console.Error.WriteLine($"  - {failure}");
    }

    return 1;
}

return 0;
