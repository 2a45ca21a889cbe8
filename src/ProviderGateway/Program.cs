using Microsoft.Extensions.Options;
using ProviderGateway.Hosting;

// The whole process is assembled in Hosting/GatewayApplication.cs, which the end-to-end tests also use.
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
