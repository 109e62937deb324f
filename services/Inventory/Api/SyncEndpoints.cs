using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.External;
using Marketplace.Inventory.Stock;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.Api;

public sealed record ReconciliationSummary(long Id, DateTimeOffset At, DateTimeOffset? FinishedAt, int Checked, int Drifted, int Fixed, int Skipped, string? Error);

/// <param name="LagSeconds">How long the oldest change not yet delivered has waited (null: none waiting).</param>
/// <param name="InboundLagMs">How late, by our clock, the last inbound event arrived after the system made it.</param>
/// <param name="Failures">Failed deliveries plus refused inbound feeds, since the service first ran.</param>
/// <param name="RejectedInbound">CSV feeds refused. Refused webhooks are not counted here: an anonymous call writes nothing
/// to the database; they are counted by the <c>marketplace.inventory.webhooks_rejected</c> metric.</param>
public sealed record SyncStatus(
    string System, string Warehouse, string Breaker, DateTimeOffset? BreakerChangedAt,
    DateTimeOffset? LastInboundAt, double? InboundLagMs, DateTimeOffset? LastOutboundAt,
    int PendingOutbound, DateTimeOffset? OldestPendingAt, double? LagSeconds,
    long Failures, long DeliveryFailures, long RejectedInbound, string? LastError, DateTimeOffset? LastErrorAt,
    ReconciliationSummary? LastReconciliation);

public sealed record OutboundChangeDto(long Id, string Kind, string Sku, int Delta, string Reference, DateTimeOffset CreatedAt, int Attempts,
    DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt, bool Refused, string? LastError, string IdempotencyKey);

/// <summary>
/// The external systems over HTTP: their signed webhooks in, CSV imports, reconciliation on demand, and the
/// sync status the admin console shows.
/// </summary>
public static class SyncEndpoints
{
    public const int MaxCsvBytes = 5 << 20;

    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder app)
    {
        // Anonymous at the door; the signature is the authentication.
        app.MapPost("/api/inventory/webhooks/{system}", ReceiveWebhook).AllowAnonymous().WithTags("External systems")
            .WithSummary("Stock levels pushed by an external warehouse (signed; docs/webhooks.md)")
            .Accepts<WebhookEvent>("application/json")
            .Produces<ApplyReport>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        var sync = app.MapGroup("/api/inventory/sync").WithTags("External systems");
        sync.MapGet("/", Status).RequireAuthorization(MarketplacePolicies.MerchantOrAdmin).WithSummary("Every external system's sync status");
        sync.MapPost("/{system}/csv", ImportCsv).RequireAuthorization(MarketplacePolicies.Admin).Accepts<string>("text/csv")
            .WithSummary("Applies a CSV stock feed (sku,on_hand,version,updated_at); bad rows are reported and skipped");
        sync.MapPost("/{system}/feed", ReadFeed).RequireAuthorization(MarketplacePolicies.Admin)
            .WithSummary("Reads the system's CSV feed now (it is also read on a schedule)");
        sync.MapPost("/{system}/reconcile", Reconcile).RequireAuthorization(MarketplacePolicies.Admin).WithSummary("Compares both stock books now and fixes drift");
        sync.MapGet("/{system}/reconciliations", ListReconciliations).RequireAuthorization(MarketplacePolicies.Admin);
        sync.MapGet("/{system}/reconciliations/{id:long}", GetReconciliation).RequireAuthorization(MarketplacePolicies.Admin);
        sync.MapGet("/{system}/outbound", ListOutbound).RequireAuthorization(MarketplacePolicies.Admin).WithSummary("Our changes for the system, newest first");
        return app;
    }

    private static async Task<IResult> ReceiveWebhook(string system, HttpRequest request, ExternalDirectory directory, ExternalStockInbox inbox, TimeProvider clock,
        ILogger<ExternalStockInbox> logger, CancellationToken ct)
    {
        if (directory.Find(system) is not { } options)
        {
            return UnknownSystem(system);
        }
        if (await request.ReadBoundedBodyAsync(WebhookAdapter.MaxBodyBytes, ct) is not { } body)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: $"A webhook carries at most {WebhookAdapter.MaxBodyBytes} bytes.");
        }
        var read = WebhookAdapter.Read(system, options, request.Headers[WebhookAdapter.SignatureHeader], body, clock.GetUtcNow());
        if (read.Batch is null)
        {
            // Anyone can call this endpoint: a refused call writes nothing (no database row, no counter column),
            // it is counted in metrics and logged only.
            InventoryTelemetry.RejectedWebhooks.Add(1, new KeyValuePair<string, object?>("system", system));
            logger.LogWarning("Webhook for {System} refused ({Status}): {Error}", system, read.Status, read.Error);
            return TypedResults.Problem(statusCode: read.Status, title: read.Status == StatusCodes.Status401Unauthorized ? "Signature refused" : "Unreadable event", detail: read.Error);
        }
        return TypedResults.Ok(await inbox.ApplyAsync(read.Batch, ct));
    }

    private static async Task<IResult> ImportCsv(string system, HttpRequest request, ExternalDirectory directory, ExternalStockInbox inbox, TimeProvider clock, CancellationToken ct)
    {
        if (directory.Find(system) is null)
        {
            return UnknownSystem(system);
        }
        if (await request.ReadBoundedBodyAsync(MaxCsvBytes, ct) is not { } body)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: $"A CSV import carries at most {MaxCsvBytes} bytes.");
        }
        var read = CsvFeedAdapter.Read(system, System.Text.Encoding.UTF8.GetString(body), clock.GetUtcNow());
        if (read.Batch is null)
        {
            return TypedResults.Problem(statusCode: read.Status, title: "Unreadable feed", detail: read.Error);
        }
        return TypedResults.Ok(await inbox.ApplyAsync(read.Batch, ct));
    }

    private static async Task<IResult> ReadFeed(string system, ExternalDirectory directory, ExternalStockInbox inbox, CancellationToken ct)
    {
        if (directory.Find(system) is null)
        {
            return UnknownSystem(system);
        }
        var (report, error) = await inbox.ReadFeedAsync(system, ct);
        return report is not null
            ? TypedResults.Ok(report)
            : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The feed could not be read", detail: error);
    }

    private static async Task<IResult> Reconcile(string system, ExternalDirectory directory, Reconciler reconciler, CancellationToken ct) =>
        directory.Find(system) is null ? UnknownSystem(system) : TypedResults.Ok(await reconciler.RunAsync(system, ct));

    private static async Task<IResult> ListReconciliations(string system, InventoryDbContext db, CancellationToken ct, int limit = 20)
    {
        if (limit is < 1 or > 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 100."] });
        }
        return TypedResults.Ok(await db.ReconciliationRuns.AsNoTracking().Where(r => r.System == system).OrderByDescending(r => r.Id).Take(limit)
            .Select(r => new ReconciliationSummary(r.Id, r.StartedAt, r.FinishedAt, r.Checked, r.Drifted, r.Fixed, r.Skipped, r.Error)).ToListAsync(ct));
    }

    private static async Task<IResult> GetReconciliation(string system, long id, InventoryDbContext db, CancellationToken ct) =>
        await db.ReconciliationRuns.AsNoTracking().SingleOrDefaultAsync(r => r.System == system && r.Id == id, ct) is { } run
            ? TypedResults.Ok(run)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such reconciliation", detail: $"{system} has no reconciliation {id}.");

    private static async Task<IResult> ListOutbound(string system, InventoryDbContext db, CancellationToken ct, bool pendingOnly = false, string? sku = null, int limit = 50)
    {
        if (limit is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 500."] });
        }
        var changes = await db.OutboundChanges.AsNoTracking()
            .Where(o => o.System == system && (!pendingOnly || o.DeliveredAt == null) && (sku == null || o.Sku == sku))
            .OrderByDescending(o => o.Id).Take(limit).ToListAsync(ct);
        return TypedResults.Ok(changes.Select(o => new OutboundChangeDto(o.Id, o.Kind.ToString(), o.Sku, o.Delta, o.Reference, o.CreatedAt, o.Attempts,
            o.NextAttemptAt, o.DeliveredAt, o.Refused, o.LastError, o.IdempotencyKey)));
    }

    private static async Task<IResult> Status(InventoryDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var systems = await db.ExternalSystems.AsNoTracking().OrderBy(s => s.Code).ToListAsync(ct);
        var pending = await db.OutboundChanges.AsNoTracking().Where(o => o.DeliveredAt == null).GroupBy(o => o.System)
            .Select(g => new { System = g.Key, Count = g.Count(), Oldest = g.Min(o => o.CreatedAt) }).ToDictionaryAsync(x => x.System, ct);
        var statuses = new List<SyncStatus>();
        foreach (var s in systems)
        {
            var last = await db.ReconciliationRuns.AsNoTracking().Where(r => r.System == s.Code).OrderByDescending(r => r.Id)
                .Select(r => new ReconciliationSummary(r.Id, r.StartedAt, r.FinishedAt, r.Checked, r.Drifted, r.Fixed, r.Skipped, r.Error)).FirstOrDefaultAsync(ct);
            var waiting = pending.GetValueOrDefault(s.Code);
            statuses.Add(new SyncStatus(s.Code, s.Warehouse, s.Breaker, s.BreakerChangedAt, s.LastInboundAt, s.LastInboundLagMs, s.LastOutboundAt,
                waiting?.Count ?? 0, waiting?.Oldest, waiting is null ? null : Math.Round((now - waiting.Oldest).TotalSeconds, 1),
                s.DeliveryFailures + s.RejectedInbound, s.DeliveryFailures, s.RejectedInbound, s.LastError, s.LastErrorAt, last));
        }
        return TypedResults.Ok(statuses);
    }

    private static IResult UnknownSystem(string system) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown system",
        detail: $"No external system is called '{system}'.");

    /// <summary>Each configured system's warehouse and status row exist before any stock moves.</summary>
    public static async Task EnsureExternalSystemsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        var directory = scope.ServiceProvider.GetRequiredService<ExternalDirectory>();
        foreach (var code in directory.Systems)
        {
            var options = directory.Find(code)!;
            var name = string.IsNullOrWhiteSpace(options.WarehouseName) ? $"{options.Warehouse} ({code})" : options.WarehouseName;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO warehouses (code, name) VALUES ({options.Warehouse}, {name}) ON CONFLICT (code) DO UPDATE SET name = excluded.name;
                INSERT INTO external_systems (code, warehouse, breaker, delivery_failures, rejected_inbound)
                VALUES ({code}, {options.Warehouse}, {BreakerStates.Closed}, 0, 0)
                ON CONFLICT (code) DO UPDATE SET warehouse = excluded.warehouse;
                """);
        }
    }
}
