using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Development;

namespace Marketplace.Catalog.Data;

/// <summary>
/// A deterministic catalogue for Development: the same seed gives the same products on every
/// machine, so tests and screenshots can name them.
/// </summary>
public static class CatalogSeeder
{
    private static readonly (string Path, string[] Nouns, decimal MinPrice, decimal MaxPrice)[] Categories =
    [
        ("Electronics/Phones", ["Smartphone", "Phone", "Mini Phone"], 199, 1299),
        ("Electronics/Laptops", ["Laptop", "Ultrabook", "Notebook"], 499, 2999),
        ("Electronics/Audio", ["Headphones", "Earbuds", "Speaker"], 29, 499),
        ("Electronics/Cameras", ["Mirrorless Camera", "Action Camera", "Lens"], 149, 2499),
        ("Electronics/Wearables", ["Smartwatch", "Fitness Band"], 49, 799),
        ("Home/Kitchen", ["Blender", "Kettle", "Coffee Maker", "Toaster"], 19, 399),
        ("Home/Furniture", ["Desk Chair", "Bookshelf", "Side Table"], 49, 899),
        ("Home/Lighting", ["Desk Lamp", "Floor Lamp", "LED Strip"], 15, 249),
        ("Home/Bedding", ["Duvet", "Pillow", "Sheet Set"], 25, 299),
        ("Fashion/Men/Shoes", ["Running Shoe", "Sneaker", "Boot"], 39, 249),
        ("Fashion/Women/Shoes", ["Running Shoe", "Sandal", "Boot"], 39, 249),
        ("Fashion/Men/Jackets", ["Rain Jacket", "Down Jacket", "Fleece"], 49, 399),
        ("Fashion/Women/Dresses", ["Summer Dress", "Wrap Dress", "Maxi Dress"], 29, 199),
        ("Sports/Cycling", ["Bike Helmet", "Bike Light", "Cycling Jersey"], 19, 299),
        ("Sports/Fitness", ["Yoga Mat", "Dumbbell Set", "Kettlebell"], 15, 249),
        ("Sports/Outdoor", ["Tent", "Sleeping Bag", "Backpack"], 29, 599),
        ("Toys/Building", ["Building Set", "Construction Kit"], 9, 199),
        ("Toys/Games", ["Board Game", "Puzzle", "Card Game"], 9, 79),
        ("Books/Fiction", ["Novel", "Short Stories"], 8, 35),
        ("Beauty/Skincare", ["Face Cream", "Serum", "Cleanser"], 9, 129),
    ];

    private static readonly string[] Brands =
    [
        "Acme", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure Works", "Wingtip", "Proseware", "Lucerne",
        "Woodgrove", "Coho", "Alpine Ski", "Blue Yonder", "City Power", "Consolidated", "Fourth Coffee", "Graphic Design", "Humongous", "Margie",
        "Nod", "Southridge", "Trey", "VanArsdel", "Wide World", "Zava", "Apex", "Boreal", "Cobalt", "Dynamo",
        "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus",
        "Orbit", "Pioneer", "Quartz", "Raven", "Summit", "Tundra", "Umbra", "Vertex", "Willow", "Zephyr",
    ];

    private static readonly string[] Adjectives = ["Classic", "Pro", "Lite", "Ultra", "Eco", "Max", "Air", "Prime", "Studio", "Sport"];
    private static readonly string[] Colours = ["Black", "White", "Blue", "Red", "Green", "Grey"];
    private static readonly string[] Sizes = ["S", "M", "L", "XL"];

    public static IReadOnlyList<Product> Generate(int count, int seed = 20261125)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var products = new List<Product>(count);
        for (var i = 0; i < count; i++)
        {
            var (path, nouns, min, max) = Categories[random.Next(Categories.Length)];
            var brand = Brands[random.Next(Brands.Length)];
            var noun = nouns[random.Next(nouns.Length)];
            var adjective = Adjectives[random.Next(Adjectives.Length)];
            var model = random.Next(2, 99);
            var price = Math.Round(min + (max - min) * (decimal)random.NextDouble(), 0) - 0.01m;
            var id = new Guid(random.Next(), (short)random.Next(short.MaxValue), (short)random.Next(short.MaxValue), BitConverter.GetBytes(random.NextInt64()));
            var created = start.AddMinutes(i * 7);
            var sku = $"{brand[..Math.Min(3, brand.Length)].ToUpperInvariant()}-{i:D6}";
            var isApparel = path.StartsWith("Fashion", StringComparison.Ordinal);
            var variants = isApparel
                ? Sizes.Take(random.Next(2, Sizes.Length + 1)).Select(size => new ProductVariant
                {
                    Sku = $"{sku}-{size}",
                    Options = new() { ["size"] = size, ["colour"] = Colours[random.Next(Colours.Length)] },
                }).ToList()
                : [new ProductVariant { Sku = sku, Options = new() { ["colour"] = Colours[random.Next(Colours.Length)] } }];

            products.Add(new Product
            {
                Id = id,
                MerchantId = DevelopmentMerchants.Ids[i % DevelopmentMerchants.Ids.Length],
                Title = $"{brand} {adjective} {noun} {model}",
                Description = $"The {adjective.ToLowerInvariant()} {noun.ToLowerInvariant()} from {brand}, model {model}. " +
                              $"Built for everyday use with a {random.Next(1, 4)}-year warranty.",
                Brand = brand,
                Category = path,
                Price = price,
                Currency = "USD",
                ImageUrls = [$"/images/products/{path.Split('/')[^1].ToLowerInvariant()}.svg"],
                Variants = variants,
                Attributes = AttributesFor(path, random),
                IsPublished = true,
                Version = 1,
                CreatedAt = created,
                UpdatedAt = created,
            });
        }
        return products;
    }

    private static readonly string[] Materials = ["cotton", "wool", "polyester", "leather", "bamboo", "steel", "oak", "recycled plastic"];

    /// <summary>Typed attributes: the same few everywhere, and some that belong to the category.</summary>
    private static List<ProductAttribute> AttributesFor(string path, Random random)
    {
        static ProductAttribute Number(string name, double value, string unit) =>
            new() { Name = name, Type = ProductAttribute.Number, Value = value.ToString(System.Globalization.CultureInfo.InvariantCulture), Unit = unit };
        static ProductAttribute Flag(string name, bool value) =>
            new() { Name = name, Type = ProductAttribute.Boolean, Value = value ? "true" : "false" };

        var attributes = new List<ProductAttribute>
        {
            Number("warrantyYears", random.Next(1, 4), "years"),
            Number("weightKg", Math.Round(0.1 + random.NextDouble() * 10, 1), "kg"),
        };
        if (path.StartsWith("Electronics", StringComparison.Ordinal))
        {
            attributes.Add(Flag("wireless", random.Next(2) == 0));
            attributes.Add(Number("batteryHours", random.Next(4, 40), "h"));
        }
        if (path is "Electronics/Phones" or "Electronics/Laptops")
        {
            attributes.Add(Number("storageGb", 64 << random.Next(0, 5), "GB"));
        }
        if (path.StartsWith("Fashion", StringComparison.Ordinal) || path.StartsWith("Home", StringComparison.Ordinal))
        {
            attributes.Add(new ProductAttribute { Name = "material", Type = ProductAttribute.Text, Value = Materials[random.Next(Materials.Length)] });
        }
        if (path.EndsWith("Shoes", StringComparison.Ordinal) || path.EndsWith("Jackets", StringComparison.Ordinal) || path == "Sports/Outdoor")
        {
            attributes.Add(Flag("waterproof", random.Next(2) == 0));
        }
        return attributes;
    }

    public static ProductPublished ToPublishedEvent(Product p) => new(p.ToSnapshot(), DateTimeOffset.UtcNow);

    /// <summary>Seeds an empty store (Development only); with several replicas the unique key makes the losers no-ops.</summary>
    public static async Task SeedIfEmptyAsync(IServiceProvider services, int count, ILogger logger, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IProductStore>();
        if (await store.CountAsync(ct) > 0)
        {
            return;
        }
        var products = Generate(count);
        try
        {
            foreach (var batch in products.Chunk(500))
            {
                await store.AddAsync(batch, batch.Select(p => (IIntegrationEvent)ToPublishedEvent(p)).ToList(), ct);
            }
            logger.LogInformation("Seeded {Count} development products", products.Count);
        }
        catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or MongoDB.Driver.MongoBulkWriteException)
        {
            // Another replica seeded the same deterministic ids first.
            logger.LogInformation("Development products were seeded by another instance");
        }
    }
}
