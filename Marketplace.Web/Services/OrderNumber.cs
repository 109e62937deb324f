namespace Marketplace.Web.Services;

/// <summary>
/// An order's number as people read it out: the last eight characters of its id, in capitals. Order ids are
/// time-ordered (UUID v7), so their beginnings are alike and their ends are what tells them apart.
/// </summary>
public static class OrderNumber
{
    public static string Of(Guid id) => id.ToString("N")[^8..].ToUpperInvariant();
}
