namespace Marketplace.Shared.Development;

/// <summary>
/// The merchants of the Development data set: Catalog seeds products for them and Identity's
/// development merchant accounts carry the first two ids.
/// </summary>
public static class DevelopmentMerchants
{
    public static readonly Guid[] Ids =
    [
        Guid.Parse("5a0f3c1e-0000-4000-8000-000000000001"),
        Guid.Parse("5a0f3c1e-0000-4000-8000-000000000002"),
        Guid.Parse("5a0f3c1e-0000-4000-8000-000000000003"),
        Guid.Parse("5a0f3c1e-0000-4000-8000-000000000004"),
        Guid.Parse("5a0f3c1e-0000-4000-8000-000000000005"),
    ];
}
