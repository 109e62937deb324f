using System.Net;
using System.Net.Http.Json;
using Marketplace.Warehouse;

namespace Marketplace.Inventory.Tests;

/// <summary>The warehouse simulator's API as Inventory will call it: keys, idempotency, refusals, the CSV feed, injected failures.</summary>
public sealed class WarehouseApiTests(WarehouseSimulator warehouse) : IClassFixture<WarehouseSimulator>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Api_calls_without_the_api_key_are_refused_with_a_401_problem()
    {
        using var anonymous = await warehouse.SendAsync(HttpMethod.Get, "/api/stock", apiKey: null);
        using var wrongKey = await warehouse.SendAsync(HttpMethod.Post, "/api/adjustments", new { sku = "X-1", delta = 1 }, "k", apiKey: "not-the-key");
        using var rightKey = await warehouse.SendAsync(HttpMethod.Get, "/api/stock");
        using var console = await warehouse.Client.GetAsync("/sim/settings", Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.OK),
            (anonymous.StatusCode, wrongKey.StatusCode, rightKey.StatusCode, console.StatusCode));
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await WarehouseSimulator.JsonAsync(anonymous)).GetProperty("status").GetInt32());
        Assert.Empty(await warehouse.RequestsAsync("X-1"));
    }

    [Fact]
    public async Task Same_idempotency_key_applies_an_adjustment_once_and_answers_again_with_the_first_response()
    {
        var sku = WarehouseSimulator.NewSku();
        var key = Guid.NewGuid().ToString();

        using var first = await warehouse.AdjustAsync(sku, 5, key);
        using var second = await warehouse.AdjustAsync(sku, 5, key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var answer = await first.Content.ReadFromJsonAsync<StockChange>(Ct);
        Assert.Equal(new StockChange(sku, 5, 0, 1, Applied: true), answer);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal("true", second.Headers.GetValues(WarehouseEndpoints.ReplayedHeader).Single());
        Assert.Equal((5, 1L), await LevelAsync(sku));
        var call = Assert.Single(await warehouse.RequestsAsync(sku));
        Assert.Equal((key, RequestKinds.Adjustment, 5, 2, true), (call.IdempotencyKey, call.Kind, call.Delta, call.TimesReceived, call.Applied));
    }

    [Fact]
    public async Task Same_idempotency_key_with_a_different_body_is_refused_with_422_and_changes_nothing()
    {
        var sku = WarehouseSimulator.NewSku();
        var key = Guid.NewGuid().ToString();
        using var first = await warehouse.AdjustAsync(sku, 5, key);

        using var different = await warehouse.AdjustAsync(sku, 7, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        Assert.Equal("application/problem+json", different.Content.Headers.ContentType?.MediaType);
        Assert.Equal((5, 1L), await LevelAsync(sku));
        Assert.Equal(1, Assert.Single(await warehouse.RequestsAsync(sku)).TimesReceived);
    }

    [Fact]
    public async Task Adjustment_without_an_idempotency_key_is_refused_with_400_and_changes_nothing()
    {
        var sku = WarehouseSimulator.NewSku();

        using var response = await warehouse.SendAsync(HttpMethod.Post, "/api/adjustments", new { sku, delta = 3, reason = "count" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await WarehouseSimulator.JsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("Idempotency-Key", out _), errors.ToString());
        Assert.Null(await warehouse.StockAsync(sku));
    }

    [Fact]
    public async Task Malformed_body_is_refused_with_a_400_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/adjustments")
        {
            Content = new StringContent("{\"sku\": \"X-2\", \"delta\": ", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", WarehouseSimulator.ApiKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await warehouse.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Adjustment_below_zero_or_below_the_reserved_units_is_refused_with_409_and_changes_nothing()
    {
        var sku = WarehouseSimulator.NewSku();
        var unknown = WarehouseSimulator.NewSku();
        await warehouse.AdjustedAsync(sku, 5);
        using var reserve = await warehouse.SendAsync(HttpMethod.Post, "/api/reservations", new { reservationId = Guid.NewGuid().ToString(), sku, quantity = 3 });
        reserve.EnsureSuccessStatusCode();

        using var belowReserved = await warehouse.AdjustAsync(sku, -3, Guid.NewGuid().ToString());
        using var belowZero = await warehouse.AdjustAsync(sku, -6, Guid.NewGuid().ToString());
        using var unknownBelowZero = await warehouse.AdjustAsync(unknown, -1, Guid.NewGuid().ToString());

        Assert.All([belowReserved, belowZero, unknownBelowZero], r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(409, (await WarehouseSimulator.JsonAsync(belowZero)).GetProperty("status").GetInt32());
        var level = await warehouse.StockAsync(sku);
        Assert.Equal((5, 3, 2L), (level!.OnHand, level.Reserved, level.Version));
        Assert.Null(await warehouse.StockAsync(unknown));
        Assert.All((await warehouse.RequestsAsync(sku)).Where(c => c.Kind == RequestKinds.Adjustment && c.Delta < 0),
            c => Assert.Equal((false, 409), (c.Applied, c.Status)));
    }

    [Fact]
    public async Task Csv_feed_has_a_header_and_a_row_per_sku_quoting_what_needs_quoting()
    {
        var plain = WarehouseSimulator.NewSku("CSV");
        var awkward = $"CSV-{Guid.NewGuid():N}, \"quoted\"";
        var plainLevel = await warehouse.AdjustedAsync(plain, 12);
        await warehouse.AdjustedAsync(awkward, 3);
        var awkwardLevel = await warehouse.AdjustedAsync(awkward, 4);

        using var response = await warehouse.SendAsync(HttpMethod.Get, "/api/stock.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        var rows = csv.Split("\r\n");
        Assert.Equal("sku,on_hand,version,updated_at", rows[0]);
        Assert.Equal("", rows[^1]);
        using var items = await warehouse.SendAsync(HttpMethod.Get, "/api/stock");
        Assert.Equal((await items.Content.ReadFromJsonAsync<List<StockItem>>(Ct))!.Count, rows.Length - 2);

        var plainRow = Assert.Single(rows, r => r.StartsWith(plain + ",", StringComparison.Ordinal)).Split(',');
        Assert.Equal(["12", "1"], plainRow[1..3]);
        Assert.Equal(plainLevel.Version, long.Parse(plainRow[2]));
        var updatedAt = DateTimeOffset.Parse(plainRow[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, updatedAt.Offset);
        Assert.Equal((await warehouse.StockAsync(plain))!.UpdatedAt, updatedAt);

        var quoted = "\"" + awkward.Replace("\"", "\"\"") + "\"";
        var awkwardRow = Assert.Single(rows, r => r.StartsWith(quoted + ",", StringComparison.Ordinal));
        Assert.Equal(["7", awkwardLevel.Version.ToString()], awkwardRow[(quoted.Length + 1)..].Split(',')[..2]);
    }

    [Fact]
    public async Task Failure_after_apply_answers_500_yet_the_change_is_made_once_and_the_retry_gets_the_first_success()
    {
        var sku = WarehouseSimulator.NewSku();
        var key = Guid.NewGuid().ToString();
        HttpResponseMessage failed;
        await warehouse.SetAsync(new { errorRate = 1.0, errorAfterApply = true });
        try
        {
            failed = await warehouse.AdjustAsync(sku, 4, key);
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }

        using var retry = await warehouse.AdjustAsync(sku, 4, key);

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.OK), (failed.StatusCode, retry.StatusCode));
        Assert.False(failed.Headers.Contains(WarehouseEndpoints.ReplayedHeader));
        Assert.Equal("true", retry.Headers.GetValues(WarehouseEndpoints.ReplayedHeader).Single());
        Assert.Equal(new StockChange(sku, 4, 0, 1, Applied: true), await retry.Content.ReadFromJsonAsync<StockChange>(Ct));
        Assert.Equal((4, 1L), await LevelAsync(sku));
        var call = Assert.Single(await warehouse.RequestsAsync(sku));
        Assert.Equal((2, true), (call.TimesReceived, call.Applied));
        failed.Dispose();
    }

    [Fact]
    public async Task Failure_before_apply_answers_500_and_changes_nothing_so_the_retry_makes_the_change()
    {
        var sku = WarehouseSimulator.NewSku();
        var key = Guid.NewGuid().ToString();
        HttpResponseMessage failed;
        await warehouse.SetAsync(new { errorRate = 1.0, errorAfterApply = false });
        try
        {
            failed = await warehouse.AdjustAsync(sku, 4, key);
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }
        var untouched = await warehouse.StockAsync(sku);

        using var retry = await warehouse.AdjustAsync(sku, 4, key);

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.OK), (failed.StatusCode, retry.StatusCode));
        Assert.Null(untouched);
        Assert.False(retry.Headers.Contains(WarehouseEndpoints.ReplayedHeader));
        Assert.Equal((4, 1L), await LevelAsync(sku));
        var call = Assert.Single(await warehouse.RequestsAsync(sku));
        Assert.Equal((1, true), (call.TimesReceived, call.Applied));
        failed.Dispose();
    }

    [Fact]
    public async Task Outage_answers_503_and_changes_nothing()
    {
        var sku = WarehouseSimulator.NewSku();
        HttpResponseMessage during;
        await warehouse.SetAsync(new { outage = true });
        try
        {
            during = await warehouse.AdjustAsync(sku, 2, Guid.NewGuid().ToString());
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Null(await warehouse.StockAsync(sku));
        Assert.Empty(await warehouse.RequestsAsync(sku));
        during.Dispose();
    }

    [Fact]
    public async Task Commit_from_a_reservation_takes_the_units_from_its_hold_and_from_on_hand()
    {
        var sku = WarehouseSimulator.NewSku();
        var reservationId = Guid.NewGuid().ToString();
        await warehouse.AdjustedAsync(sku, 10);
        using var reserved = await warehouse.SendAsync(HttpMethod.Post, "/api/reservations", new { reservationId, sku, quantity = 3 });
        using var reservedAgain = await warehouse.SendAsync(HttpMethod.Post, "/api/reservations", new { reservationId, sku, quantity = 3 });
        using var otherQuantity = await warehouse.SendAsync(HttpMethod.Post, "/api/reservations", new { reservationId, sku, quantity = 4 });

        using var commit = await CommitAsync(new { sku, quantity = 2, reference = "order-1", reservationId }, Guid.NewGuid().ToString());
        using var overCommit = await CommitAsync(new { sku, quantity = 2, reference = "order-1", reservationId }, Guid.NewGuid().ToString());
        using var release = await warehouse.SendAsync(HttpMethod.Delete, $"/api/reservations/{reservationId}");
        using var releaseAgain = await warehouse.SendAsync(HttpMethod.Delete, $"/api/reservations/{reservationId}");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.OK, HttpStatusCode.OK],
            new[] { reserved, reservedAgain, otherQuantity, commit, overCommit, release, releaseAgain }.Select(r => r.StatusCode));
        Assert.Equal(new StockChange(sku, 8, 1, 3, Applied: true), await commit.Content.ReadFromJsonAsync<StockChange>(Ct));
        var released = await release.Content.ReadFromJsonAsync<ReservationView>(Ct);
        Assert.Equal((3, 0, ReservationStatus.Released), (released!.Quantity, released.Held, released.Status));
        var level = await warehouse.StockAsync(sku);
        Assert.Equal((8, 0, 4L), (level!.OnHand, level.Reserved, level.Version));
        var calls = await warehouse.RequestsAsync(sku);
        Assert.Equal([RequestKinds.Adjustment, RequestKinds.Reservation, RequestKinds.Commit, RequestKinds.Commit, RequestKinds.Release], calls.Select(c => c.Kind));
        Assert.Equal([1, 2, 1, 1, 2], calls.Select(c => c.TimesReceived));
        Assert.Equal([true, true, true, false, true], calls.Select(c => c.Applied));
    }

    [Fact]
    public async Task Commit_without_a_reservation_cannot_take_units_another_reservation_holds()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.AdjustedAsync(sku, 4);
        using var reserve = await warehouse.SendAsync(HttpMethod.Post, "/api/reservations", new { reservationId = Guid.NewGuid().ToString(), sku, quantity = 3 });
        reserve.EnsureSuccessStatusCode();

        using var tooMany = await CommitAsync(new { sku, quantity = 2, reference = "order-2" }, Guid.NewGuid().ToString());
        using var free = await CommitAsync(new { sku, quantity = 1, reference = "order-3" }, Guid.NewGuid().ToString());
        using var missingKey = await warehouse.SendAsync(HttpMethod.Post, "/api/commits", new { sku, quantity = 1, reference = "order-4" });

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.OK, HttpStatusCode.BadRequest), (tooMany.StatusCode, free.StatusCode, missingKey.StatusCode));
        var level = await warehouse.StockAsync(sku);
        Assert.Equal((3, 3), (level!.OnHand, level.Reserved));
    }

    [Fact]
    public async Task Unknown_sku_is_404()
    {
        using var response = await warehouse.SendAsync(HttpMethod.Get, $"/api/stock/{WarehouseSimulator.NewSku()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Settings_outside_their_range_are_refused_naming_each_field()
    {
        using var response = await warehouse.Client.PutAsJsonAsync("/sim/settings", new { errorRate = 1.5, latencyMs = -1 }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var fields = (await WarehouseSimulator.JsonAsync(response)).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["errorRate", "latencyMs"], fields);
        Assert.Equal(0, (await warehouse.Client.GetFromJsonAsync<WarehouseSettings>("/sim/settings", Ct))!.ErrorRate);
    }

    private Task<HttpResponseMessage> CommitAsync(object body, string key) => warehouse.SendAsync(HttpMethod.Post, "/api/commits", body, key);

    private async Task<(int OnHand, long Version)> LevelAsync(string sku) =>
        await warehouse.StockAsync(sku) is { } level ? (level.OnHand, level.Version) : throw new InvalidOperationException($"{sku} is unknown");
}
