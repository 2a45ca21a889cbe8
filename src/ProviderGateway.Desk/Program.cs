using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;
using ProviderGateway.Contracts.Localization;
using ProviderGateway.Desk;
using ProviderGateway.Desk.Localization;
using ProviderGateway.Desk.Session;

// The console runs in the browser: its services are the session (API key, operator, purpose), the channel to the gateway
// and the texts of its language. The language is chosen before the host runs, so that Blazor loads its resources.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.Services.AddSingleton<DeskSession>();
builder.Services.AddSingleton<GatewayCalls>();
builder.Services.AddSingleton<DeskText>();

var host = builder.Build();
var js = host.Services.GetRequiredService<IJSRuntime>();
var chosen = await js.InvokeAsync<string?>("localStorage.getItem", DeskSession.LanguageItem);
var browser = await js.GetValueAsync<string[]>("navigator.languages");
DeskLanguage.Use(ErrorMessages.IsLanguage(chosen) ? chosen! : ErrorMessages.Negotiate(string.Join(',', browser), DeskLanguage.Default));
await js.InvokeVoidAsync("document.documentElement.setAttribute", "lang", DeskLanguage.Current);
await host.RunAsync();
