using System.Net.Http.Json;
using Marketplace.Shared.Contracts;

namespace Marketplace.Inventory.Stock;

/// <summary>Asks Catalog who owns a SKU (with Inventory's own service token).</summary>
public sealed class CatalogSkus(HttpClient http)
{
    public async Task<SkuInfo?> FindAsync(string sku, CancellationToken ct) =>
        (await FindManyAsync([sku], ct)).GetValueOrDefault(sku);

    /// <summary>The catalogue's current answer for each SKU it has (at most 100 asked at once); a SKU it lacks is absent.</summary>
    public async Task<IReadOnlyDictionary<string, SkuInfo>> FindManyAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var found = await http.GetFromJsonAsync<List<SkuInfo>>(
            "/internal/catalog/skus?" + string.Join("&", skus.Select(s => $"sku={Uri.EscapeDataString(s)}")), ct);
        return (found ?? []).Where(s => skus.Contains(s.Sku)).ToDictionary(s => s.Sku, StringComparer.Ordinal);
    }

    /// <summary>Every SKU of the catalogue, page by page through the internal product scan (for opening stock).</summary>
    public async IAsyncEnumerable<SkuInfo> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        Guid? after = null;
        do
        {
            var page = await http.GetFromJsonAsync<ScanPage>($"/internal/catalog/products?limit=500&publishedOnly=false{(after is { } a ? $"&after={a}" : "")}", ct)
                ?? throw new InvalidOperationException("Catalog answered the scan with nothing.");
            foreach (var p in page.Items)
            {
                foreach (var v in p.Variants)
                {
                    yield return new SkuInfo(v.Sku, p.ProductId, p.MerchantId, p.Title, v.PriceOverride ?? p.Price, p.Currency, true, p.Version);
                }
            }
            after = page.Next;
        }
        while (after is not null);
    }

    private sealed record ScanPage(List<ProductSnapshot> Items, Guid? Next);
}
