namespace Marketplace.Inventory.Stock;

/// <summary>Which of our warehouses an external system keeps (the configured systems answer it; Stock asks, not knowing how).</summary>
public interface IExternalWarehouses
{
    /// <summary>The system keeping <paramref name="warehouse"/>, or null for a warehouse of our own.</summary>
    string? SystemOf(string warehouse);
}
