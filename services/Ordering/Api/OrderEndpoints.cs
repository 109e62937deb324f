using System.Security.Claims;
using Marketplace.Ordering.Application;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Concurrency;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Ordering.Api;

public sealed record OrderLineDto(string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice, decimal LineTotal, DateTimeOffset? ShippedAt, string? TrackingNumber);

public sealed record TransitionDto(int Sequence, string? From, string To, DateTimeOffset At, string Actor, string Reason);

public sealed record OrderDto(
    Guid Id, Guid BuyerId, string Status, string Payment, decimal Total, string Currency, IReadOnlyList<OrderLineDto> Lines,
    ShippingAddress ShippingAddress, string? CancelReason, int Sequence, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<TransitionDto>? History, DateTimeOffset? HoldUntil = null)
{
    public static OrderDto From(Order o, bool includeHistory) => new(
        o.Id, o.BuyerId, o.Status.ToString(), o.Payment.ToString(), o.Total, o.Currency,
        [.. o.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => new OrderLineDto(l.Sku, l.ProductId, l.MerchantId, l.Title, l.Quantity, l.UnitPrice, l.Quantity * l.UnitPrice, l.ShippedAt, l.TrackingNumber))],
        o.ShippingAddress, o.CancelReason, o.Sequence, o.CreatedAt, o.UpdatedAt,
        includeHistory ? [.. o.Transitions.OrderBy(t => t.Sequence).Select(t => new TransitionDto(t.Sequence, t.From?.ToString(), t.To.ToString(), t.At, t.Actor, t.Reason))] : null,
        o.HoldUntil);
}

public sealed record OrderPage(IReadOnlyList<OrderDto> Items, long Total, int Page, int PageSize);

public sealed record CancelOrderRequest(string? Reason);

public sealed record ShipRequest(string? TrackingNumber, Guid? MerchantId);

/// <summary>A merchant's view of an order: only its own lines, and where they go.</summary>
public sealed record MerchantOrderDto(Guid OrderId, string Status, DateTimeOffset CreatedAt, ShippingAddress ShippingAddress,
    IReadOnlyList<OrderLineDto> Lines, decimal MerchantTotal, string Currency, bool CanShip);

public sealed record OrderSummary(long Orders, IReadOnlyDictionary<string, long> ByStatus, long WaitingLongerThanAMinute, decimal ConfirmedRevenue);

public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders").RequireAuthorization();
        orders.MapPost("/", PlaceOrderEndpoint.HandleAsync).AsForegroundWork();
        orders.MapGet("/", ListOwn);
        orders.MapGet("/summary", Summary).RequireAuthorization(MarketplacePolicies.Admin);
        orders.MapGet("/{id:guid}", GetOrder);
        orders.MapPost("/{id:guid}/cancel", CancelOrder);

        var merchant = app.MapGroup("/api/merchant/orders").WithTags("Fulfilment").RequireAuthorization(MarketplacePolicies.MerchantOrAdmin);
        merchant.MapGet("/", ListForMerchant);
        merchant.MapPost("/{id:guid}/ship", Ship);
        return app;
    }

    private static async Task<IResult> ListOwn(ClaimsPrincipal user, OrderingDbContext db, CancellationToken ct, string? status = null, int page = 1, int pageSize = 20)
    {
        if (user.UserId() is not { } buyer)
        {
            return ShoppersOnly();
        }
        var errors = Paging(page, pageSize);
        var parsed = ParseStatus(status, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var query = db.Orders.AsNoTracking().Where(o => o.BuyerId == buyer);
        if (parsed is { } s)
        {
            query = query.Where(o => o.Status == s);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.Include(o => o.Lines).OrderByDescending(o => o.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).AsSplitQuery().ToListAsync(ct);
        return TypedResults.Ok(new OrderPage([.. items.Select(o => OrderDto.From(o, includeHistory: false))], total, page, pageSize));
    }

    private static async Task<IResult> GetOrder(Guid id, ClaimsPrincipal user, OrderingDbContext db, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Transitions).AsSplitQuery().SingleOrDefaultAsync(o => o.Id == id, ct);
        return order is null || !(order.BuyerId == user.UserId() || user.IsAdmin()) ? NotFound(id) : TypedResults.Ok(OrderDto.From(order, includeHistory: true));
    }

    private static async Task<IResult> CancelOrder(Guid id, CancelOrderRequest? request, ClaimsPrincipal user, OrderChanges changes, CancellationToken ct)
    {
        if (request?.Reason is { Length: > 300 })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["reason has at most 300 characters."] });
        }
        return ToHttp(id, await changes.ChangeAsync(id, o => o.BuyerId == user.UserId() || user.IsAdmin(), (o, now) => o.CancelByBuyer(request?.Reason, now), ct));
    }

    private static async Task<IResult> ListForMerchant(ClaimsPrincipal user, OrderingDbContext db, CancellationToken ct,
        Guid? merchantId = null, string? status = null, int page = 1, int pageSize = 20)
    {
        var errors = Paging(page, pageSize);
        var parsed = ParseStatus(status, errors);
        if (!user.IsAdmin())
        {
            if (merchantId is { } asked && asked != user.MerchantId())
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your merchant", detail: "A merchant sees only its own orders.");
            }
            merchantId = user.MerchantId();
            if (merchantId is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No merchant", detail: "This account's token names no merchant_id.");
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var query = db.Orders.AsNoTracking();
        if (merchantId is { } m)
        {
            query = query.Where(o => o.Lines.Any(l => l.MerchantId == m));
        }
        if (parsed is { } s)
        {
            query = query.Where(o => o.Status == s);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.Include(o => o.Lines).OrderByDescending(o => o.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).AsSplitQuery().ToListAsync(ct);
        var dtos = items.Select(o =>
        {
            var own = OrderDto.From(o, false).Lines.Where(l => merchantId is null || l.MerchantId == merchantId).ToList();
            return new MerchantOrderDto(o.Id, o.Status.ToString(), o.CreatedAt, o.ShippingAddress, own, own.Sum(l => l.LineTotal), o.Currency, o.CanShip(merchantId));
        }).ToList();
        return TypedResults.Ok(new { items = dtos, total, page, pageSize });
    }

    private static async Task<IResult> Ship(Guid id, ShipRequest? request, ClaimsPrincipal user, OrderChanges changes, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.TrackingNumber is { Length: > 100 })
        {
            errors["trackingNumber"] = ["trackingNumber has at most 100 characters."];
        }
        var merchant = user.IsAdmin() ? request?.MerchantId : user.MerchantId();
        if (merchant is null)
        {
            errors["merchantId"] = [user.IsAdmin() ? "An admin names the merchant whose lines ship." : "This account's token names no merchant_id."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var actor = user.IsAdmin() ? $"admin:{user.UserId()}" : $"merchant:{merchant}";
        return ToHttp(id, await changes.ChangeAsync(id, o => o.Lines.Any(l => l.MerchantId == merchant),
            (o, now) => o.Ship(merchant!.Value, string.IsNullOrWhiteSpace(request?.TrackingNumber) ? null : request.TrackingNumber.Trim(), actor, now), ct));
    }

    /// <summary>A change's outcome as the API answers it: 200 with the order and its history, 404, or 409 naming the status.</summary>
    private static IResult ToHttp(Guid id, OrderChangeResult result) => result switch
    {
        OrderChangeResult.Changed changed => TypedResults.Ok(OrderDto.From(changed.Order, includeHistory: true)),
        OrderChangeResult.Refused refused => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: refused.Reason,
            extensions: new Dictionary<string, object?> { ["status"] = refused.Status.ToString() }),
        _ => NotFound(id),
    };

    private static async Task<IResult> Summary(OrderingDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var byStatus = await db.Orders.AsNoTracking().GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var aMinuteAgo = clock.GetUtcNow().AddMinutes(-1);
        var waiting = await db.Orders.AsNoTracking().LongCountAsync(o => Order.InCheckout.Contains(o.Status) && o.UpdatedAt < aMinuteAgo, ct);
        var revenue = await db.Orders.AsNoTracking().Where(o => Order.Sold.Contains(o.Status)).SumAsync(o => (decimal?)o.Total, ct) ?? 0;
        return TypedResults.Ok(new OrderSummary(byStatus.Sum(s => s.Count), byStatus.ToDictionary(s => s.Key.ToString(), s => s.Count), waiting, revenue));
    }

    private static Dictionary<string, string[]> Paging(int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 10_000)
        {
            errors["page"] = ["page must be between 1 and 10000."];
        }
        if (pageSize is < 1 or > 100)
        {
            errors["pageSize"] = ["pageSize must be between 1 and 100."];
        }
        return errors;
    }

    private static OrderStatus? ParseStatus(string? status, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(status))
        {
            return null;
        }
        if (Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _))
        {
            return parsed;
        }
        errors["status"] = [$"status is one of {string.Join(", ", Enum.GetNames<OrderStatus>())}."];
        return null;
    }

    public static IResult NotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"No order of yours has the id {id}.");

    private static IResult ShoppersOnly() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Shoppers only", detail: "Orders belong to a shopper's account.");
}
