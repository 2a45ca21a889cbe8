using ProviderGateway.Hosting;

// The whole process is assembled in Hosting/GatewayApplication.cs, which the end-to-end tests also use.
await using var gateway = await GatewayApplication.CreateAsync(args);
await gateway.RunAsync();
