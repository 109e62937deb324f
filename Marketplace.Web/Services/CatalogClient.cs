using System.Net.Http.Json;

namespace Marketplace.Web.Services;

public sealed record ProductSummary(Guid Id, string Title, string Brand, string Category, decimal Price, string Currency, List<string> ImageUrls);

public sealed record ProductPage(List<ProductSummary> Items, long Total, int Page, int PageSize);

/// <summary>Reads the catalogue through the Gateway, as any other client of the public API does.</summary>
public sealed class CatalogClient(HttpClient http)
{
    public async Task<ProductPage> GetProductsAsync(string? category, int page, int pageSize, CancellationToken ct)
    {
        var url = $"/api/catalog/products?page={page}&pageSize={pageSize}";
        if (!string.IsNullOrWhiteSpace(category))
        {
            url += "&category=" + Uri.EscapeDataString(category);
        }
        return await http.GetFromJsonAsync<ProductPage>(url, ct) ?? new ProductPage([], 0, page, pageSize);
    }
}
