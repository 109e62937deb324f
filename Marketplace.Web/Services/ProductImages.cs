namespace Marketplace.Web.Services;

/// <summary>Pictures for products that name none (search hits carry no image): one per category, shipped with the app.</summary>
public static class ProductImages
{
    private static readonly HashSet<string> Shipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "phones", "laptops", "audio", "cameras", "wearables", "kitchen", "furniture", "lighting", "bedding", "shoes",
        "jackets", "dresses", "cycling", "fitness", "outdoor", "building", "games", "fiction", "skincare",
    };

    public const string Default = "images/products/default.svg";

    public static string ForCategory(string? category)
    {
        var leaf = category?.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return leaf is not null && Shipped.Contains(leaf) ? $"images/products/{leaf.ToLowerInvariant()}.svg" : Default;
    }

    public static string For(IReadOnlyList<string>? imageUrls, string? category) => imageUrls is { Count: > 0 } ? imageUrls[0] : ForCategory(category);

    /// <summary>A category path as people read it: <c>Electronics › Audio</c>.</summary>
    public static string Breadcrumb(string category) => category.Replace("/", " › ", StringComparison.Ordinal);
}
