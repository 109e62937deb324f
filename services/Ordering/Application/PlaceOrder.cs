using System.Security.Cryptography;
using System.Text.Json;
using Marketplace.Ordering.Checkout;
using Marketplace.Ordering.Cart;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Ordering.Application;

/// <summary>The order a buyer sends (the body of <c>POST /api/orders</c>, read here because its bytes are what the key guards).</summary>
public sealed record PlaceOrderRequest(IReadOnlyList<OrderLineRequest>? Lines, AddressRequest? ShippingAddress, string? PaymentMethod, decimal? ExpectedTotal);

public sealed record OrderLineRequest(string? Sku, int Quantity);

public sealed record AddressRequest(string? Name, string? Line1, string? Line2, string? City, string? PostalCode, string? Country);

/// <summary>A buyer's order as the API hands it over: who, under which Idempotency-Key, the body's bytes, and how the API shows a placed order.</summary>
public sealed record PlaceOrderCommand(Guid Buyer, string Key, byte[] Body, Func<Order, object> Representation);

/// <summary>What placing an order came to.</summary>
public abstract record PlaceOrderResult
{
    /// <summary>The answer stored under the key (201 with the order, 400, 409 sold out or prices changed), or replayed from it.</summary>
    public sealed record Answered(int StatusCode, string Body, Guid? OrderId, bool Replayed) : PlaceOrderResult;

    /// <summary>The key was used for a different order body: nothing is placed or replayed.</summary>
    public sealed record KeyReused : PlaceOrderResult;

    /// <summary>The catalogue could not price the order: nothing was stored, so the same key may be tried again.</summary>
    public sealed record PricesUnavailable : PlaceOrderResult;
}

/// <summary>
/// Places an order. The answer is decided first (validation, current catalogue prices, and the stock
/// hold, taken at Inventory while the buyer waits: 201 with the order AwaitingPayment and <c>holdUntil</c>, or
/// 409 "Sold out" naming each short SKU and what it has left), then stored under the buyer's <c>Idempotency-Key</c> with an insert on its primary key in the same
/// transaction as the order and its outbox messages. Whoever inserts first wins; a concurrent or later
/// request with that key gets the stored answer (errors included), and one with another body is refused.
/// Only answers that depend on nothing transient are stored: a Catalog outage is answered unstored, to be retried.
/// When Inventory cannot answer in time the order is still taken, as Pending, and the saga asks Inventory for the
/// hold by message (the order id is derived from the buyer and key, so a late hold and the message hold once).
/// </summary>
public sealed class PlaceOrder(
    OrderingDbContext db, CatalogPrices catalog, StockHolds holds, CartStore carts, TimeProvider clock,
    IOptions<SagaTimeouts> timeouts, IOptions<JsonOptions> json, ILogger<PlaceOrder> logger)
{
    public const int MaxLines = 50;
    public const int MaxQuantity = 100;

    /// <summary>What the order comes to: an answer to store under the key, or the answer the key already has.</summary>
    private abstract record Decision;

    private sealed record Answer(int StatusCode, object Body, Order? Order) : Decision;

    private sealed record AnsweredBefore(IdempotencyRecord Earlier) : Decision;

    public async Task<PlaceOrderResult> PlaceAsync(PlaceOrderCommand command, CancellationToken ct)
    {
        var (buyer, key, body) = (command.Buyer, command.Key, command.Body);
        var hash = Convert.ToHexString(SHA256.HashData(body));

        // The key is looked up only before the order asks Inventory for a hold (the one step with an effect outside this
        // database). An answer decided here alone (invalid, prices changed, sold out a moment ago) goes straight to the
        // insert on the key, which finds an earlier answer as surely: a click after the last unit costs one statement.
        Decision decision;
        try
        {
            decision = await DecideAsync(buyer, key, body, command.Representation, ct);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Catalog could not price an order");
            // A retry of an order answered before is answered as it was, whether or not the catalogue is there.
            return await FindAsync(buyer, key, ct) is { } answered ? Replay(answered, hash) : new PlaceOrderResult.PricesUnavailable();
        }
        if (decision is not Answer answer)
        {
            return Replay(((AnsweredBefore)decision).Earlier, hash);
        }

        var responseJson = JsonSerializer.Serialize(answer.Body, answer.Body.GetType(), json.Value.SerializerOptions);
        var now = clock.GetUtcNow();
        var stored = answer.Order is null
            // Nothing but the answer to store: one statement in its own transaction.
            ? await db.Database.ExecuteSqlAsync($"""
                INSERT INTO idempotency_keys (buyer_id, key, request_hash, status_code, response_body, order_id, created_at)
                VALUES ({buyer}, {key}, {hash}, {answer.StatusCode}, {responseJson}, NULL, {now})
                ON CONFLICT DO NOTHING
                """, ct) == 1
            : await StoreWithOrderAsync(buyer, key, hash, answer.StatusCode, responseJson, answer.Order, ct);
        if (!stored)
        {
            // Another request with this key got there first: its answer is the answer.
            return Replay((await FindAsync(buyer, key, ct))!, hash);
        }
        if (answer.Order is { } placed)
        {
            OrderingTelemetry.OrdersPlaced.Add(1);
            await carts.RemoveOrderedAsync(CartId.ForBuyer(buyer), placed.Lines.Select(l => (l.Sku, l.Quantity)));
        }
        return new PlaceOrderResult.Answered(answer.StatusCode, responseJson, answer.Order?.Id, Replayed: false);
    }

    /// <summary>The answer under the key, the order and its outbox messages, in one transaction; false when the key was taken first.</summary>
    private async Task<bool> StoreWithOrderAsync(Guid buyer, string key, string hash, int statusCode, string responseJson, Order order, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO idempotency_keys (buyer_id, key, request_hash, status_code, response_body, order_id, created_at)
                VALUES ({buyer}, {key}, {hash}, {statusCode}, {responseJson}, {order.Id}, {now})
                ON CONFLICT DO NOTHING
                """, ct);
            if (inserted == 0)
            {
                await tx.RollbackAsync(ct);
                return false;
            }
            db.Orders.Add(order);
            db.StageOutgoing(order);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        });
    }

    /// <summary>The answer to the order, or the key's earlier answer when the key, looked up just before Inventory would be asked, has one.</summary>
    private async Task<Decision> DecideAsync(Guid buyer, string key, byte[] body, Func<Order, object> representation, CancellationToken ct)
    {
        PlaceOrderRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<PlaceOrderRequest>(body, json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            return Invalid(new() { ["body"] = [$"The body is not a valid order: {e.Message}"] });
        }
        if (request is null)
        {
            return Invalid(new() { ["body"] = ["The body is empty."] });
        }
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var lines = request.Lines!;
        var prices = await catalog.LookUpAsync(lines.Select(l => l.Sku!), ct);
        for (var i = 0; i < lines.Count; i++)
        {
            if (!prices.TryGetValue(lines[i].Sku!, out var info) || !info.IsPublished)
            {
                errors[$"lines[{i}].sku"] = [$"No product on sale has the SKU '{lines[i].Sku}'."];
            }
        }
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }
        var currencies = lines.Select(l => prices[l.Sku!].Currency).Distinct().ToList();
        if (currencies.Count > 1)
        {
            return Invalid(new() { ["lines"] = [$"One order is paid in one currency; these lines are priced in {string.Join(", ", currencies)}."] });
        }

        var orderId = OrderIdFor(buyer, key);
        var orderLines = lines.Select(l =>
        {
            var info = prices[l.Sku!];
            return new OrderLine { OrderId = orderId, Sku = info.Sku, ProductId = info.ProductId, MerchantId = info.MerchantId, Title = info.Title, Quantity = l.Quantity, UnitPrice = info.UnitPrice };
        }).ToList();
        var total = orderLines.Sum(l => l.Quantity * l.UnitPrice);
        if (request.ExpectedTotal is { } expected && expected != total)
        {
            // The shopper saw other prices: let them look again instead of charging what they did not agree to.
            return new Answer(StatusCodes.Status409Conflict, new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Prices changed",
                Detail = $"The order comes to {total} {currencies[0]} at today's prices, not {expected}. Review the prices and place the order again with a new Idempotency-Key.",
                Extensions = { ["total"] = total, ["lines"] = orderLines.Select(l => new { l.Sku, l.UnitPrice, l.Quantity }).ToList() },
            }, null);
        }
        var a = request.ShippingAddress!;
        var address = new ShippingAddress(a.Name!.Trim(), a.Line1!.Trim(), string.IsNullOrWhiteSpace(a.Line2) ? null : a.Line2.Trim(), a.City!.Trim(), a.PostalCode!.Trim(), a.Country!.Trim().ToUpperInvariant());

        List<Marketplace.Shared.Contracts.StockLine> stockLines = [.. orderLines.Select(l => new Marketplace.Shared.Contracts.StockLine(l.Sku, l.Quantity))];
        var hold = holds.Recall(stockLines);
        if (hold is null)
        {
            if (await FindAsync(buyer, key, ct) is { } earlier)
            {
                return new AnsweredBefore(earlier);
            }
            hold = await holds.AskInventoryAsync(orderId, stockLines, timeouts.Value.ReservationHold, ct);
        }
        var now = clock.GetUtcNow();
        if (hold is { Reserved: false })
        {
            return SoldOut(orderLines, hold);
        }
        var order = hold is { Reserved: true, HoldUntil: { } until }
            ? Order.PlaceHeld(orderId, buyer, orderLines, currencies[0], request.PaymentMethod!.Trim(), address, until, timeouts.Value, now)
            : Order.Place(orderId, buyer, orderLines, currencies[0], request.PaymentMethod!.Trim(), address, timeouts.Value, now);
        return new Answer(StatusCodes.Status201Created, representation(order), order);
    }

    /// <summary>The units are not there: nothing is placed, and the buyer learns which SKUs ran short and what is left.</summary>
    private static Answer SoldOut(IReadOnlyList<OrderLine> lines, Marketplace.Shared.Contracts.ReserveOutcome hold)
    {
        var shortLines = lines.Where(l => hold.Skus?.Contains(l.Sku) == true)
            .Select(l => new { sku = l.Sku, title = l.Title, requested = l.Quantity, available = hold.Left?.GetValueOrDefault(l.Sku) ?? 0 })
            .ToList();
        var words = string.Join("; ", shortLines.Select(l => l.available == 0 ? $"{l.title} is sold out" : $"only {l.available} of {l.title} left (you asked for {l.requested})"));
        return new Answer(StatusCodes.Status409Conflict, new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = SoldOutType,
            Title = "Sold out",
            Detail = $"Sold out: {words}. Nothing was placed and nothing will be charged.",
            Extensions = { ["short"] = shortLines },
        }, null);
    }

    public const string SoldOutType = "https://marketplace.test/problems/sold-out";

    /// <summary>
    /// One order id per buyer and Idempotency-Key: a retry after a lost answer (or a request racing it) asks
    /// Inventory for the same hold, which it gives once.
    /// </summary>
    internal static Guid OrderIdFor(Guid buyer, string key)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{buyer:N}:{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: name-based, our own hash
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static Dictionary<string, string[]> Validate(PlaceOrderRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Lines is not { Count: > 0 and <= MaxLines })
        {
            errors["lines"] = [$"An order has 1 to {MaxLines} lines."];
        }
        else
        {
            for (var i = 0; i < request.Lines.Count; i++)
            {
                var line = request.Lines[i];
                if (string.IsNullOrWhiteSpace(line.Sku) || line.Sku.Length > 64)
                {
                    errors[$"lines[{i}].sku"] = ["Each line names a SKU (at most 64 characters)."];
                }
                if (line.Quantity is < 1 or > MaxQuantity)
                {
                    errors[$"lines[{i}].quantity"] = [$"A quantity is between 1 and {MaxQuantity}."];
                }
            }
            if (request.Lines.Where(l => l.Sku is not null).GroupBy(l => l.Sku).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                errors["lines"] = [$"The SKU '{twice.Key}' is on more than one line; put its whole quantity on one."];
            }
        }
        var a = request.ShippingAddress;
        if (a is null)
        {
            errors["shippingAddress"] = ["Say where the order goes."];
        }
        else
        {
            Require(errors, "shippingAddress.name", a.Name, 200);
            Require(errors, "shippingAddress.line1", a.Line1, 200);
            Require(errors, "shippingAddress.city", a.City, 100);
            Require(errors, "shippingAddress.postalCode", a.PostalCode, 20);
            if (a.Line2 is { Length: > 200 })
            {
                errors["shippingAddress.line2"] = ["line2 has at most 200 characters."];
            }
            if (a.Country?.Trim() is not { Length: 2 } country || !country.All(char.IsAsciiLetter))
            {
                errors["shippingAddress.country"] = ["country is a two-letter ISO code, such as US or DE."];
            }
        }
        if (string.IsNullOrWhiteSpace(request.PaymentMethod) || request.PaymentMethod.Trim().Length > 100)
        {
            errors["paymentMethod"] = ["Give the payment provider's token for the card (such as pm_card_visa); never a card number."];
        }
        if (request.ExpectedTotal is < 0)
        {
            errors["expectedTotal"] = ["expectedTotal cannot be negative."];
        }
        return errors;
    }

    private static void Require(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            errors[field] = [$"{field[(field.LastIndexOf('.') + 1)..]} is required (at most {max} characters)."];
        }
    }

    private static Answer Invalid(Dictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The order is not valid",
            Detail = "Nothing was placed. Correct the fields named and send the order again with a new Idempotency-Key.",
        }, null);

    private Task<IdempotencyRecord?> FindAsync(Guid buyer, string key, CancellationToken ct) =>
        db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(r => r.BuyerId == buyer && r.Key == key, ct);

    private static PlaceOrderResult Replay(IdempotencyRecord earlier, string hash) =>
        earlier.RequestHash != hash
            ? new PlaceOrderResult.KeyReused()
            : new PlaceOrderResult.Answered(earlier.StatusCode, earlier.ResponseBody, earlier.OrderId, Replayed: true);
}
