using Marketplace.Web.Components.Store;
using Marketplace.Web.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Web.Tests;

/// <summary>The cart as the shopper uses it: quantities, removal, totals and prices in the configured culture.</summary>
public sealed class CartViewTests
{
    /// <summary>Ordering's cart as far as the view can tell: it prices each line and totals them.</summary>
    private sealed class InMemoryCart(string currency, params (string Sku, string Title, decimal Price, int Quantity)[] lines) : ICartApi
    {
        private readonly List<(string Sku, string Title, decimal Price, int Quantity)> _lines = [.. lines];
        public List<(string Sku, int Quantity)> Changes { get; } = [];
        public bool Failing { get; set; }

        public Task<Cart> GetAsync(CancellationToken ct) => Task.FromResult(Snapshot());

        public Task<Cart> SetQuantityAsync(string sku, int quantity, CancellationToken ct)
        {
            if (Failing)
            {
                throw new HttpRequestException("Connection refused (gateway:80)");
            }
            Changes.Add((sku, quantity));
            var i = _lines.FindIndex(l => l.Sku == sku);
            if (quantity == 0)
            {
                _lines.RemoveAt(i);
            }
            else
            {
                _lines[i] = _lines[i] with { Quantity = quantity };
            }
            return Task.FromResult(Snapshot());
        }

        public Task<Cart> RemoveAsync(string sku, CancellationToken ct) => SetQuantityAsync(sku, 0, ct);

        private Cart Snapshot()
        {
            var cartLines = _lines.Select(l => new CartLine(l.Sku, Guid.NewGuid(), Guid.NewGuid(), l.Title, l.Quantity, l.Price, l.Price, false, true, l.Price * l.Quantity)).ToList();
            return new Cart(null, cartLines, cartLines.Sum(l => l.LineTotal), currency, cartLines.Sum(l => l.Quantity), true);
        }
    }

    private sealed class Context : WebTestContext
    {
        public Context(ICartApi api, string culture = "en-US") : base(culture)
        {
            Services.AddSingleton(api);
            Services.AddScoped<CartState>();
        }
    }

    [Fact]
    public void Lines_and_totals_show_in_dollars_for_en_US()
    {
        using var context = new Context(new InMemoryCart("USD", ("ACME-1", "Acme Earbuds", 79.99m, 2), ("NW-LAMP", "Northwind Lamp", 1250m, 1)));
        var cut = context.Render<CartView>();

        Assert.Equal(["Acme Earbuds", "Northwind Lamp"], cut.Texts("cart-line-title"));
        Assert.Equal(["$159.98", "$1,250.00"], cut.Texts("line-total"));
        Assert.Equal("Subtotal $1,409.98", cut.Find("[data-testid='subtotal']").TextContent.Trim());
        Assert.Equal("3 items", cut.Find("[data-testid='item-count']").TextContent.Trim());
        Assert.DoesNotContain("¤", cut.Markup);
    }

    [Fact]
    public void Euros_in_a_German_storefront_read_the_German_way()
    {
        using var context = new Context(new InMemoryCart("EUR", ("ACME-1", "Acme Earbuds", 1234.5m, 2)), culture: "de-DE");
        var cut = context.Render<CartView>();

        Assert.Equal(["2.469,00 €"], cut.Texts("line-total"));
        Assert.Contains("1.234,50 € each", cut.Find("[data-testid='cart-line']").TextContent);
    }

    [Fact]
    public void More_and_fewer_change_the_quantity_and_the_totals()
    {
        var api = new InMemoryCart("USD", ("ACME-1", "Acme Earbuds", 79.99m, 2), ("NW-LAMP", "Northwind Lamp", 20m, 1));
        using var context = new Context(api);
        var cut = context.Render<CartView>();

        cut.FindAll("[data-testid='increase']")[0].Click();
        cut.WaitForAssertion(() => Assert.Equal(["3", "1"], cut.Texts("quantity")));
        Assert.Equal(["$239.97", "$20.00"], cut.Texts("line-total"));
        Assert.Equal("Subtotal $259.97", cut.Find("[data-testid='subtotal']").TextContent.Trim());

        cut.FindAll("[data-testid='decrease']")[0].Click();
        cut.WaitForAssertion(() => Assert.Equal(["2", "1"], cut.Texts("quantity")));
        Assert.Equal([("ACME-1", 3), ("ACME-1", 2)], api.Changes);
        // One is the least: fewer than one is removal, which has its own button.
        Assert.True(cut.FindAll("[data-testid='decrease']")[1].HasAttribute("disabled"));
    }

    [Fact]
    public void Removing_a_line_drops_it_from_the_totals_and_the_last_one_leaves_an_empty_cart()
    {
        using var context = new Context(new InMemoryCart("USD", ("ACME-1", "Acme Earbuds", 79.99m, 2), ("NW-LAMP", "Northwind Lamp", 20m, 1)));
        var cut = context.Render<CartView>();

        cut.FindAll("[data-testid='remove']")[0].Click();
        cut.WaitForAssertion(() => Assert.Equal(["Northwind Lamp"], cut.Texts("cart-line-title")));
        Assert.Equal("Subtotal $20.00", cut.Find("[data-testid='subtotal']").TextContent.Trim());

        cut.Find("[data-testid='remove']").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='cart-empty']")));
    }

    [Fact]
    public void A_failed_change_is_told_in_plain_words_and_the_cart_stays_as_it_was()
    {
        var api = new InMemoryCart("USD", ("ACME-1", "Acme Earbuds", 79.99m, 2));
        using var context = new Context(api);
        var cut = context.Render<CartView>();
        api.Failing = true;

        cut.Find("[data-testid='increase']").Click();

        cut.WaitForAssertion(() => Assert.Equal(ApiProblems.Unreachable, cut.Find("[data-testid='cart-error']").TextContent.Trim()));
        Assert.DoesNotContain("Connection refused", cut.Markup);
        Assert.Equal(["2"], cut.Texts("quantity"));
    }
}
