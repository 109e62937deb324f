using System.Net.Http.Json;
using Marketplace.Shared.Concurrency;
using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Checkout;

/// <summary>
/// Current prices and owners of SKUs, from Catalog (with Ordering's own service token). Orders for the same SKUs
/// arriving together (a flash sale) share one look-up in flight instead of each asking Catalog.
/// </summary>
public sealed class CatalogPrices(HttpClient http, CatalogPrices.InFlight inFlight)
{
    /// <summary>The look-ups in flight, by their SKUs (one per Ordering process).</summary>
    public sealed class InFlight : SingleFlight<string, IReadOnlyDictionary<string, SkuInfo>>;

    /// <summary>What Catalog knows of these SKUs, by SKU; SKUs it does not know are absent. Throws when Catalog cannot answer.</summary>
    public Task<IReadOnlyDictionary<string, SkuInfo>> LookUpAsync(IEnumerable<string> skus, CancellationToken ct)
    {
        var wanted = skus.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return inFlight.RunAsync(string.Join('\n', wanted), () => FetchAsync(wanted), ct);
    }

    private async Task<IReadOnlyDictionary<string, SkuInfo>> FetchAsync(IReadOnlyList<string> skus)
    {
        var ct = CancellationToken.None; // shared by every caller waiting for it; the client's own timeouts bound it
        var result = new Dictionary<string, SkuInfo>(StringComparer.Ordinal);
        foreach (var chunk in skus.Chunk(100))
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
