using System.Net;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.DeskConsole;

/// <summary>
/// How the gateway serves the console's files, over HTTP: at /desk/ on the HTTP/1.1 endpoint only, with its security
/// headers on every answer (the page, the redirect, the runtime's files), compressed when asked, without a key; nothing
/// else reachable through it; off when configured so.
/// </summary>
public sealed class DeskConsoleHostingTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly HttpClient Http1 = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });

    [Fact]
    public async Task The_page_is_served_without_a_key_with_its_security_headers_and_revalidated()
    {
        using var page = await Http1.GetAsync(new Uri(fixture.Gateway.HttpAddress, "/desk/"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(page);
        Assert.True(page.Headers.CacheControl?.NoCache);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<base href=\"/desk/\" />", html, StringComparison.Ordinal);
        // No inline script: the policy allows none.
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script type=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Desk_without_its_slash_is_redirected_with_the_same_headers()
    {
        using var redirect = await Http1.GetAsync(new Uri(fixture.Gateway.HttpAddress, "/desk"));

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/desk/", redirect.Headers.Location?.OriginalString);
        AssertSecurityHeaders(redirect);
    }

    [Fact]
    public async Task The_runtimes_files_are_served_compressed_when_asked_with_the_same_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Gateway.HttpAddress, "/desk/_framework/blazor.webassembly.js"));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var script = await Http1.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("gzip", script.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(script);
    }

    [Fact]
    public async Task The_console_is_not_served_on_the_grpc_or_management_endpoint()
    {
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        Assert.Equal(HttpStatusCode.NotFound, (await Http1.GetAsync(new Uri(fixture.Gateway.ManagementAddress, "/desk/"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http1.GetAsync(new Uri(fixture.Gateway.ManagementAddress, "/desk/_framework/blazor.webassembly.js"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h2c.GetAsync(new Uri(fixture.Gateway.Application.Listeners.GrpcAddress, "/desk/"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h2c.GetAsync(new Uri(fixture.Gateway.Application.Listeners.GrpcAddress, "/desk/_framework/blazor.webassembly.js"))).StatusCode);
    }

    [Theory]
    [InlineData("/desk/appsettings.json")]
    [InlineData("/desk/%2e%2e/appsettings.json")]
    [InlineData("/desk/..%2fappsettings.json")]
    [InlineData("/desk/_framework/..%2f..%2fappsettings.json")]
    [InlineData("/desk/ProviderGateway.Desk.csproj")]
    [InlineData("/desk/Program.cs")]
    [InlineData("/desk/Resources/DeskText.resx")]
    [InlineData("/desk/providergateway.frontdesk.v1.FrontDeskService/ListProviders")]
    public async Task Nothing_but_the_consoles_own_files_is_reachable_under_desk(string path)
    {
        using var answer = await Http1.GetAsync(new Uri(fixture.Gateway.HttpAddress + path.TrimStart('/')));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task Switched_off_the_console_is_not_served()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithDeskConsole(false));

        Assert.Equal(HttpStatusCode.NotFound, (await Http1.GetAsync(new Uri(gateway.HttpAddress, "/desk/"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http1.GetAsync(new Uri(gateway.HttpAddress, "/desk/_framework/blazor.webassembly.js"))).StatusCode);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage answer)
    {
        var policy = Assert.Single(answer.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval';", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(answer.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(answer.Headers.GetValues("Referrer-Policy")));
    }
}
