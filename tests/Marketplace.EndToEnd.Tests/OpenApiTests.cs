using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Every service describes its HTTP API in an OpenAPI document, and Development serves Scalar's UI over it.</summary>
public sealed class OpenApiTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("catalog", "/api/catalog/products/{id}")]
    [InlineData("inventory", "/api/inventory/webhooks/{system}")]
    [InlineData("inventory", "/api/inventory/sync")]
    [InlineData("ordering", "/api/orders")]
    [InlineData("payment", "/api/payments/webhooks/provider")]
    [InlineData("search", "/api/search")]
    [InlineData("notification", "/api/notifications")]
    [InlineData("users", "/api/users/me")]
    [InlineData("payment-provider", "/v1/payment_intents")]
    [InlineData("warehouse", "/api/adjustments")]
    public async Task A_service_documents_its_api(string service, string path)
    {
        using var client = fixture.CreateRawClient(service);
        using var response = await client.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.StartsWith("Marketplace ", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(paths.Any(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal)), $"{path} is not among {string.Join(", ", paths)}");
        // Kept with the test results, so the contracts of a run can be read (and diffed) afterwards.
        var directory = Path.Combine(Path.GetDirectoryName(BrowserFixture.ScreenshotDirectory)!, "openapi");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, $"{service}.json"), document.ToString(), Ct);
    }

    [Fact]
    public async Task Development_serves_the_scalar_reference()
    {
        using var client = fixture.CreateRawClient("inventory");
        using var response = await client.GetAsync("/scalar/v1", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
