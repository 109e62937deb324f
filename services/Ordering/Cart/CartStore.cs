using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;

namespace Marketplace.Ordering.Cart;

/// <summary>Whose cart: a signed-in buyer's, or a guest's (an unguessable id the guest's client keeps).</summary>
public readonly record struct CartId(string Value)
{
    public static CartId ForBuyer(Guid buyer) => new($"cart:buyer:{buyer:N}");

    public static CartId ForGuest(string guestId) => new($"cart:guest:{guestId}");

    /// <summary>128 random bits, URL-safe: knowing it is what gives access to a guest cart.</summary>
    public static string NewGuestId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool IsGuestId(string? value) => value is { Length: 22 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <param name="Merged">False when the merge was refused: it would have passed the line cap.</param>
/// <param name="Lines">The guest cart's lines merged.</param>
/// <param name="TotalLines">The buyer's cart's different items after the merge (or that the refused merge would have made).</param>
public sealed record MergeOutcome(bool Merged, int Lines, int TotalLines);

/// <summary>A line as put in the cart: what it cost then, so the cart can say when the price has moved since.</summary>
public sealed record StoredCartItem(string Sku, int Quantity, Guid ProductId, Guid MerchantId, string Title, decimal UnitPriceWhenAdded, string Currency, DateTimeOffset AddedAt);

/// <summary>
/// Carts in Redis: one hash per cart (SKU → line), so two tabs changing different lines never overwrite
/// each other. Buyers' carts live 30 days from their last change, guests' 7.
/// </summary>
public sealed class CartStore(IConnectionMultiplexer redis)
{
    public const int MaxLines = 50;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    private static TimeSpan LifetimeOf(CartId cart) => cart.Value.StartsWith("cart:guest:", StringComparison.Ordinal) ? TimeSpan.FromDays(7) : TimeSpan.FromDays(30);

    public async Task<IReadOnlyList<StoredCartItem>> GetAsync(CartId cart) =>
        [.. (await Db.HashGetAllAsync(cart.Value)).Select(e => JsonSerializer.Deserialize<StoredCartItem>(e.Value.ToString(), Json)!).OrderBy(i => i.AddedAt)];

    public Task<bool> ExistsAsync(CartId cart) => Db.KeyExistsAsync(cart.Value);

    public async Task<long> CountAsync(CartId cart) => await Db.HashLengthAsync(cart.Value);

    public async Task<bool> ContainsAsync(CartId cart, string sku) => await Db.HashExistsAsync(cart.Value, sku);

    public async Task SetAsync(CartId cart, StoredCartItem item)
    {
        var batch = Db.CreateTransaction();
        _ = batch.HashSetAsync(cart.Value, item.Sku, JsonSerializer.Serialize(item, Json));
        _ = batch.KeyExpireAsync(cart.Value, LifetimeOf(cart));
        await batch.ExecuteAsync();
    }

    public async Task<bool> RemoveAsync(CartId cart, string sku) => await Db.HashDeleteAsync(cart.Value, sku);

    public Task ClearAsync(CartId cart) => Db.KeyDeleteAsync(cart.Value);

    /// <summary>
    /// Adds a guest's lines to a buyer's cart (quantities add up, capped) and deletes the guest cart, in
    /// one server-side step, so two sign-ins merging the same guest cart add it once. The line cap holds:
    /// when the merged cart would have more than <see cref="MaxLines"/> different items nothing changes
    /// (the guest cart stays, to be trimmed and merged again) and the answer is null.
    /// </summary>
    public async Task<MergeOutcome> MergeAsync(CartId guest, CartId buyer, int maxQuantity)
    {
        var merged = (long[])(await Db.ScriptEvaluateAsync("""
            local lines = redis.call('HGETALL', KEYS[1])
            if #lines == 0 then return {0, 0} end
            local added = 0
            for i = 1, #lines, 2 do
              if redis.call('HEXISTS', KEYS[2], lines[i]) == 0 then added = added + 1 end
            end
            local total = redis.call('HLEN', KEYS[2]) + added
            if total > tonumber(ARGV[3]) then return {-1, total} end
            for i = 1, #lines, 2 do
              local incoming = cjson.decode(lines[i + 1])
              local existing = redis.call('HGET', KEYS[2], lines[i])
              if existing then
                local line = cjson.decode(existing)
                line.quantity = math.min(line.quantity + incoming.quantity, tonumber(ARGV[1]))
                redis.call('HSET', KEYS[2], lines[i], cjson.encode(line))
              else
                redis.call('HSET', KEYS[2], lines[i], lines[i + 1])
              end
            end
            redis.call('DEL', KEYS[1])
            redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
            return {#lines / 2, total}
            """, [guest.Value, buyer.Value], [maxQuantity, (long)LifetimeOf(buyer).TotalSeconds, MaxLines]))!;
        return new MergeOutcome(merged[0] >= 0, (int)Math.Max(merged[0], 0), (int)merged[1]);
    }

    /// <summary>After an order: what was ordered leaves the cart (a line bought in part keeps the rest).</summary>
    public async Task RemoveOrderedAsync(CartId cart, IEnumerable<(string Sku, int Quantity)> ordered)
    {
        try
        {
            foreach (var (sku, quantity) in ordered)
            {
                var current = await Db.HashGetAsync(cart.Value, sku);
                if (!current.HasValue)
                {
                    continue;
                }
                var item = JsonSerializer.Deserialize<StoredCartItem>(current.ToString(), Json)!;
                if (item.Quantity <= quantity)
                {
                    await Db.HashDeleteAsync(cart.Value, sku);
                }
                else
                {
                    await Db.HashSetAsync(cart.Value, sku, JsonSerializer.Serialize(item with { Quantity = item.Quantity - quantity }, Json));
                }
            }
        }
        catch (RedisException)
        {
            // The order stands; a cart that still shows the items is a nuisance, not an error.
        }
    }
}
