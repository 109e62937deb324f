using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>
/// A service on real Kestrel with the shared pipeline: whose word about the client's address it takes, and what
/// an unreadable request is answered with.
/// </summary>
public sealed class ClientAddressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Seen(string? Address, bool VisitorHeader, bool KeyHeader, string Host);

    private sealed record Line(int Quantity, string Sku);

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(params string[] settings)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production", .. settings]);
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.UseMarketplaceDefaults();
        app.MapGet("/whoami", (HttpContext c) => new Seen(c.Connection.RemoteIpAddress?.ToString(),
            c.Request.Headers.ContainsKey(ClientAddress.VisitorHeader), c.Request.Headers.ContainsKey(ClientAddress.ProxyKeyHeader), c.Request.Host.Value ?? ""));
        app.MapPost("/lines", (Line line) => Results.Ok(line));
        app.MapGet("/page", (int page) => Results.Ok(page));
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static async Task<Seen> WhoAmIAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Seen>(Ct))!;
    }

    [Fact]
    public async Task Forwarded_addresses_from_clients_are_not_believed_and_do_not_reach_the_endpoint()
    {
        var (app, client) = await StartAsync("--ClientAddress:ProxyKey=the-key");
        await using var running = app;
        using var http = client;

        Assert.Equal("127.0.0.1", (await WhoAmIAsync(client, ("X-Forwarded-For", "203.0.113.5"))).Address);
        var wrongKey = await WhoAmIAsync(client, (ClientAddress.VisitorHeader, "203.0.113.5"), (ClientAddress.ProxyKeyHeader, "guess"));
        Assert.Equal("127.0.0.1", wrongKey.Address);
        Assert.False(wrongKey.VisitorHeader);
        Assert.False(wrongKey.KeyHeader);
    }

    [Fact]
    public async Task Our_hop_with_the_key_and_a_configured_proxy_are_believed()
    {
        var (app, client) = await StartAsync("--ClientAddress:ProxyKey=the-key", "--ClientAddress:TrustedProxies:0=127.0.0.1");
        await using var running = app;
        using var http = client;

        var hop = await WhoAmIAsync(client, (ClientAddress.VisitorHeader, "2001:db8::5"), (ClientAddress.ProxyKeyHeader, "the-key"), ("X-Forwarded-Host", "shop.example"));
        Assert.Equal("2001:db8::5", hop.Address);
        Assert.Equal("shop.example", hop.Host);
        Assert.False(hop.KeyHeader);
        Assert.Equal("198.51.100.9", (await WhoAmIAsync(client, ("X-Forwarded-For", "198.51.100.9"))).Address);
    }

    [Fact]
    public async Task Unreadable_requests_are_problems_naming_the_field_in_production_too()
    {
        var (app, client) = await StartAsync();
        await using var running = app;
        using var http = client;

        using var overflow = await client.PostAsync("/lines", new StringContent("""{"quantity":2147483648,"sku":"a"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode);
        Assert.Equal("application/problem+json", overflow.Content.Headers.ContentType?.MediaType);
        var problem = await overflow.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("quantity", out _), problem.ToString());

        using var control = await client.PostAsync("/lines", new StringContent("""{"quantity":1,"sku":"a\u0000"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, control.StatusCode);
        Assert.True((await control.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("sku", out _));

        using var page = await client.GetAsync("/page?page=99999999999", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.True((await page.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("page", out _));

        using var text = await client.PostAsync("/lines", new StringContent("""{"quantity":1,"sku":"a"}""", System.Text.Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
    }
}
