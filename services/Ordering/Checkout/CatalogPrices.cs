using System.Net.Http.Json;
using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Checkout;

/// <summary>Current prices and owners of SKUs, from Catalog (with Ordering's own service token).</summary>
public sealed class CatalogPrices(HttpClient http)
{
    /// <summary>What Catalog knows of these SKUs, by SKU; SKUs it does not know are absent. Throws when Catalog cannot answer.</summary>
    public async Task<IReadOnlyDictionary<string, SkuInfo>> LookUpAsync(IEnumerable<string> skus, CancellationToken ct)
    {
        var result = new Dictionary<string, SkuInfo>(StringComparer.Ordinal);
        foreach (var chunk in skus.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var query = string.Join('&', chunk.Select(s => $"sku={Uri.EscapeDataString(s)}"));
            foreach (var info in await http.GetFromJsonAsync<List<SkuInfo>>($"/internal/catalog/skus?{query}", ct) ?? [])
            {
                result[info.Sku] = info;
            }
        }
        return result;
    }
}
