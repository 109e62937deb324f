using System.Net;
using Marketplace.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>A body over the server's limit, on a real Kestrel: its sender gets the 413, never a broken connection.</summary>
public sealed class OversizedBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_still_sending_a_body_over_the_limit_reads_the_413()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.UseMarketplaceDefaults();
        app.MapPost("/upload", async (HttpRequest request) => Results.Ok((await new StreamReader(request.Body).ReadToEndAsync()).Length));
        await app.StartAsync(Ct);
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        // Eight megabytes, far more than the sockets buffer: without reading it, the server would close on a writing client.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var body = new ByteArrayContent(new byte[8 * 1024 * 1024]);
            using var response = await client.PostAsync("/upload", body, Ct);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
