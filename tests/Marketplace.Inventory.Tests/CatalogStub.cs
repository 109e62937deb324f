using System.Collections.Concurrent;
using System.Net;
using Marketplace.Shared.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Marketplace.Inventory.Tests;

/// <summary>
/// The catalogue as Inventory sees it, over real HTTP: <c>GET /internal/catalog/skus?sku=…</c> answers the owner a
/// test set for each SKU (none: the SKU is absent, as for a deleted product), and counts the questions.
/// </summary>
public sealed class CatalogStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, SkuInfo> _owners = new(StringComparer.Ordinal);
    private int _asked;

    private CatalogStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many lookups were answered.</summary>
    public int Asked => Volatile.Read(ref _asked);

    public static async Task<CatalogStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var stub = new CatalogStub(builder.Build());
        stub._app.MapGet("/internal/catalog/skus", (HttpRequest request) =>
        {
            Interlocked.Increment(ref stub._asked);
            return Results.Json(request.Query["sku"].Select(s => stub._owners.GetValueOrDefault(s!)).OfType<SkuInfo>().ToList());
        });
        await stub._app.StartAsync();
        stub.BaseAddress = new Uri(stub._app.Urls.Single());
        return stub;
    }

    /// <summary>From now on the catalogue says <paramref name="merchant"/> sells <paramref name="sku"/> (null: nobody does).</summary>
    public SkuInfo? Give(string sku, Guid? merchant)
    {
        if (merchant is not { } m)
        {
            _owners.TryRemove(sku, out _);
            return null;
        }
        return _owners[sku] = new SkuInfo(sku, Guid.NewGuid(), m, "Hourglass", 10m, "EUR", true, 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
