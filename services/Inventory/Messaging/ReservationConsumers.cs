using Marketplace.Inventory.Data;
using Marketplace.Inventory.Stock;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MassTransit;

namespace Marketplace.Inventory.Messaging;

// Ordering's commands, each handled once per message in one transaction with its stock changes and
// the events they raise (the base class inserts the inbox row first).

public sealed class ReserveStockConsumer(InventoryDbContext db, StockBook stock, ILogger<ReserveStockConsumer> log)
    : IdempotentConsumer<ReserveStock, InventoryDbContext>(db, log)
{
    protected override Task HandleAsync(ReserveStock m, ConsumeContext<ReserveStock> context, CancellationToken ct) =>
        stock.ReserveAsync(m.OrderId, m.Lines, m.HoldUntil, "ordering", ct);
}

public sealed class ConfirmReservationConsumer(InventoryDbContext db, StockBook stock, ILogger<ConfirmReservationConsumer> log)
    : IdempotentConsumer<ConfirmReservation, InventoryDbContext>(db, log)
{
    protected override Task HandleAsync(ConfirmReservation m, ConsumeContext<ConfirmReservation> context, CancellationToken ct) =>
        stock.ConfirmAsync(m.OrderId, ct);
}

public sealed class ReleaseReservationConsumer(InventoryDbContext db, StockBook stock, ILogger<ReleaseReservationConsumer> log)
    : IdempotentConsumer<ReleaseReservation, InventoryDbContext>(db, log)
{
    protected override Task HandleAsync(ReleaseReservation m, ConsumeContext<ReleaseReservation> context, CancellationToken ct) =>
        stock.ReleaseAsync(m.OrderId, m.Reason, expired: false, "ordering", ct);
}

public sealed class CommitReservationConsumer(InventoryDbContext db, StockBook stock, ILogger<CommitReservationConsumer> log)
    : IdempotentConsumer<CommitReservation, InventoryDbContext>(db, log)
{
    protected override Task HandleAsync(CommitReservation m, ConsumeContext<CommitReservation> context, CancellationToken ct) =>
        stock.CommitAsync(m.OrderId, m.Skus, "ordering", ct);
}
