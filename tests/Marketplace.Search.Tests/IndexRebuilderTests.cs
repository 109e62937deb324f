using System.Net;
using System.Net.Http.Json;
using Marketplace.Search.Index;
using Marketplace.Search.Rebuild;
using Marketplace.Shared.Contracts;
using Marketplace.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Marketplace.Search.Tests;

/// <summary>
/// The rebuild pages through Catalog's scan into a real Lucene index. Catalog's side is a canned
/// HTTP answer here; the end-to-end tests run it against the real Catalog with a real service token.
/// </summary>
public sealed class IndexRebuilderTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _path = RepositoryRoot.NewScratchDirectory("marketplace-rebuild-tests");
    private readonly LuceneSearchIndex _index;

    public IndexRebuilderTests() => _index = new LuceneSearchIndex(_path);

    private static ProductSnapshot Product(int i) => new(
        Guid.NewGuid(), 1, Guid.NewGuid(), $"Rebuilt Item {i}", "", "Acme", "Home/Kitchen", 10m + i, "USD", [],
        [new VariantSnapshot($"REBUILT-{i}", new Dictionary<string, string>(), null)], [], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>Serves the scan in pages of 2, as Catalog's <c>/internal/catalog/products</c> does, and records the requests.</summary>
    private sealed class CatalogScan(IReadOnlyList<ProductSnapshot> products) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.PathAndQuery);
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
            var start = query["after"] is { } after ? products.ToList().FindIndex(p => p.ProductId == Guid.Parse(after)) + 1 : 0;
            var page = products.Skip(start).Take(2).ToList();
            var next = start + 2 < products.Count ? page[^1].ProductId : (Guid?)null;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(new { items = page, next }) });
        }
    }

    /// <summary>Serves Inventory's <c>/internal/inventory/stock</c> scan in one page.</summary>
    private sealed class StockScan(IReadOnlyList<StockDocument> stock) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.PathAndQuery);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(new { items = stock, next = (string?)null }) });
        }
    }

    private sealed class Clients(HttpMessageHandler catalog, HttpMessageHandler inventory) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => name == IndexRebuilder.InventoryClient
            ? new(inventory, disposeHandler: false) { BaseAddress = new Uri("http://inventory") }
            : new(catalog, disposeHandler: false) { BaseAddress = new Uri("http://catalog") };
    }

    [Fact]
    public async Task Every_scanned_product_ends_up_in_the_index_with_its_stock()
    {
        var products = Enumerable.Range(0, 5).Select(Product).ToList();
        var catalog = new CatalogScan(products);
        var inventory = new StockScan([new StockDocument("REBUILT-1", products[1].ProductId, 3, 7), new StockDocument("REBUILT-2", products[2].ProductId, 0, 4)]);
        var rebuilder = new IndexRebuilder(new Clients(catalog, inventory), _index, TimeProvider.System, NullLogger<IndexRebuilder>.Instance);

        rebuilder.Start("test", Ct);
        while (rebuilder.Status.State == RebuildState.Running)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(RebuildState.Completed, rebuilder.Status.State);
        Assert.Equal(5, rebuilder.Status.Indexed);
        Assert.Equal(5, await _index.CountAsync(Ct));
        Assert.Equal(3, catalog.Requests.Count);
        Assert.All(catalog.Requests, r => Assert.StartsWith("/internal/catalog/products?limit=", r));
        Assert.Equal(["/internal/inventory/stock?limit=500"], inventory.Requests);
        var inStock = await _index.SearchAsync(new Marketplace.Search.Index.SearchRequest("rebuilt", InStockOnly: true), Ct);
        Assert.Equal(products[1].ProductId, Assert.Single(inStock.Hits).ProductId);
    }

    public void Dispose()
    {
        _index.Dispose();
        Directory.Delete(_path, recursive: true);
    }
}
