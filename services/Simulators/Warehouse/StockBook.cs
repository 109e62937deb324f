using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

/// <summary>
/// The warehouse's book, in memory: a level per SKU, its own reservations, and every call we made.
/// Everything happens under one lock, so a call sees the effects of the ones before it, an
/// idempotency key is claimed before its change is made, and events are queued in version order.
/// </summary>
public sealed class StockBook(WebhookDispatcher webhooks, IOptions<WarehouseOptions> options, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly string _system = options.Value.System;
    private readonly Dictionary<string, Level> _levels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Call> _callsByIdempotencyKey = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string ReservationId), Call> _callsByReservation = [];
    private readonly List<Call> _calls = [];

    public IReadOnlyList<StockItem> Items()
    {
        lock (_lock)
        {
            return [.. _levels.Values.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => l.View())];
        }
    }

    public StockItem? Find(string sku)
    {
        lock (_lock)
        {
            return _levels.GetValueOrDefault(sku)?.View();
        }
    }

    public BookAnswer<StockChange> Adjust(string idempotencyKey, AdjustmentRequest request)
    {
        var (sku, delta) = (request.Sku!, request.Delta!.Value);
        lock (_lock)
        {
            if (Replay(idempotencyKey, request) is { } replay)
            {
                return replay;
            }
            var call = Record(new Call(RequestKinds.Adjustment, idempotencyKey, sku, request, clock.GetUtcNow()) { Delta = delta, Reference = request.Reason });
            var level = _levels.GetValueOrDefault(sku);
            var (onHand, reserved) = (level?.OnHand ?? 0, level?.Reserved ?? 0);
            if (onHand + delta < reserved || onHand + delta < 0)
            {
                return call.Refuse(new Refusal(StatusCodes.Status409Conflict, "Not enough stock",
                    $"{sku} has {onHand} on hand and {reserved} reserved: a change of {delta} would leave fewer units than are reserved, or fewer than none."));
            }
            level ??= Create(sku);
            SetOnHand(level, onHand + delta, announce: true);
            return call.Apply(level.Change());
        }
    }

    public BookAnswer<StockChange> Commit(string idempotencyKey, CommitRequest request)
    {
        var (sku, quantity, reservationId) = (request.Sku!, request.Quantity!.Value, request.ReservationId);
        lock (_lock)
        {
            if (Replay(idempotencyKey, request) is { } replay)
            {
                return replay;
            }
            var call = Record(new Call(RequestKinds.Commit, idempotencyKey, sku, request, clock.GetUtcNow())
            {
                Quantity = quantity, Reference = request.Reference, ReservationId = reservationId,
            });
            var level = _levels.GetValueOrDefault(sku);
            if (reservationId is not null)
            {
                if (!_reservations.TryGetValue(reservationId, out var reservation) || reservation.Sku != sku)
                {
                    return call.Refuse(new Refusal(StatusCodes.Status409Conflict, "No such reservation",
                        $"There is no reservation '{reservationId}' of {sku}."));
                }
                if (reservation.Status != ReservationStatus.Held || reservation.Held < quantity)
                {
                    return call.Refuse(new Refusal(StatusCodes.Status409Conflict, "The reservation does not hold that many",
                        $"Reservation '{reservationId}' is {reservation.Status} and holds {reservation.Held} of {sku}; {quantity} cannot be committed from it."));
                }
                reservation.Held -= quantity;
                reservation.Status = reservation.Held == 0 ? ReservationStatus.Committed : ReservationStatus.Held;
                level!.Reserved -= quantity;
            }
            else if ((level?.Available ?? 0) < quantity)
            {
                return call.Refuse(new Refusal(StatusCodes.Status409Conflict, "Not enough stock",
                    $"{sku} has {level?.Available ?? 0} units that no reservation holds; {quantity} cannot be committed."));
            }
            SetOnHand(level!, level!.OnHand - quantity, announce: true);
            return call.Apply(level.Change());
        }
    }

    /// <summary>Holds units under the reservation id; the same id again answers with that reservation as it is now.</summary>
    public BookAnswer<ReservationView> Reserve(ReservationRequest request)
    {
        var (id, sku, quantity) = (request.ReservationId!, request.Sku!, request.Quantity!.Value);
        lock (_lock)
        {
            var existing = _reservations.GetValueOrDefault(id);
            if (existing is not null && (existing.Sku != sku || existing.Quantity != quantity))
            {
                return new(null, new Refusal(StatusCodes.Status422UnprocessableEntity, "Reservation id reused with a different request",
                    $"Reservation '{id}' is for {existing.Quantity} of {existing.Sku}."), Replayed: false);
            }
            var call = CountReservationCall(RequestKinds.Reservation, id, sku, quantity, request);
            if (existing is not null)
            {
                call.StatusCode = StatusCodes.Status200OK;
                return new(existing.View(), null, Replayed: true);
            }
            var level = _levels.GetValueOrDefault(sku);
            if ((level?.Available ?? 0) < quantity)
            {
                return call.Refuse<ReservationView>(new Refusal(StatusCodes.Status409Conflict, "Not enough stock",
                    $"{sku} has {level?.Available ?? 0} units that no reservation holds; {quantity} cannot be reserved."));
            }
            var reservation = new Reservation(id, sku, quantity, clock.GetUtcNow());
            _reservations[id] = reservation;
            level!.Reserved += quantity;
            Touch(level);
            return call.Apply(reservation.View());
        }
    }

    /// <summary>Gives back what the reservation still holds; releasing a released one again changes nothing.</summary>
    public BookAnswer<ReservationView> Release(string reservationId)
    {
        lock (_lock)
        {
            if (!_reservations.TryGetValue(reservationId, out var reservation))
            {
                return new(null, new Refusal(StatusCodes.Status404NotFound, "No such reservation", $"There is no reservation '{reservationId}'."), Replayed: false);
            }
            var call = CountReservationCall(RequestKinds.Release, reservationId, reservation.Sku, reservation.Held, request: null);
            switch (reservation.Status)
            {
                case ReservationStatus.Released:
                    call.StatusCode = StatusCodes.Status200OK;
                    return new(reservation.View(), null, Replayed: true);
                case ReservationStatus.Committed:
                    return call.Refuse<ReservationView>(new Refusal(StatusCodes.Status409Conflict, "The reservation is committed",
                        $"Reservation '{reservationId}' was committed in full; its units have left the warehouse."));
            }
            var level = _levels[reservation.Sku];
            level.Reserved -= reservation.Held;
            reservation.Held = 0;
            reservation.Status = ReservationStatus.Released;
            Touch(level);
            return call.Apply(reservation.View());
        }
    }

    /// <summary>
    /// Sets the level as counted in the warehouse (SKUs unknown so far are created). Announced, it
    /// raises a delta webhook (delta 0 when the count confirms the level); silent, it plants drift.
    /// </summary>
    public BookAnswer<StockItem> Count(string sku, int onHand, bool announce)
    {
        lock (_lock)
        {
            var level = _levels.GetValueOrDefault(sku);
            if (onHand < (level?.Reserved ?? 0))
            {
                return new(null, new Refusal(StatusCodes.Status409Conflict, "Below reserved",
                    $"{sku} has {level!.Reserved} units reserved; release them before counting fewer."), Replayed: false);
            }
            level ??= Create(sku);
            SetOnHand(level, onHand, announce);
            return new(level.View(), null, Replayed: false);
        }
    }

    /// <summary>Queues a snapshot of every SKU and returns it.</summary>
    public WarehouseEvent PublishSnapshot()
    {
        lock (_lock)
        {
            var items = _levels.Values.OrderBy(l => l.Sku, StringComparer.Ordinal)
                .Select(l => new EventItem(l.Sku, l.OnHand, null, l.Version, l.UpdatedAt)).ToList();
            var snapshot = NewEvent(EventTypes.Snapshot, items);
            webhooks.Publish(snapshot);
            return snapshot;
        }
    }

    public IReadOnlyList<RequestLogEntry> Requests(string? sku)
    {
        lock (_lock)
        {
            return [.. _calls.Where(c => sku is null || c.Sku == sku).Select(c => c.View())];
        }
    }

    /// <summary>Forgets every call, idempotency keys included; stock and reservations stay.</summary>
    public void ForgetRequests()
    {
        lock (_lock)
        {
            _calls.Clear();
            _callsByIdempotencyKey.Clear();
            _callsByReservation.Clear();
        }
    }

    private BookAnswer<StockChange>? Replay(string idempotencyKey, object request)
    {
        if (!_callsByIdempotencyKey.TryGetValue(idempotencyKey, out var call))
        {
            return null;
        }
        if (!Equals(call.Request, request))
        {
            return new(null, new Refusal(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused with a different request",
                $"Idempotency-Key '{idempotencyKey}' was first used for a different {call.Kind}; nothing was done."), Replayed: false);
        }
        call.TimesReceived++;
        return new(call.Answer, call.Refusal, Replayed: true);
    }

    private Call Record(Call call)
    {
        _callsByIdempotencyKey[call.IdempotencyKey] = call;
        _calls.Add(call);
        return call;
    }

    private Call CountReservationCall(string kind, string reservationId, string sku, int quantity, object? request)
    {
        if (_callsByReservation.TryGetValue((kind, reservationId), out var call))
        {
            call.TimesReceived++;
            return call;
        }
        call = new Call(kind, reservationId, sku, request, clock.GetUtcNow()) { Quantity = quantity, ReservationId = reservationId };
        _callsByReservation[(kind, reservationId)] = call;
        _calls.Add(call);
        return call;
    }

    private Level Create(string sku)
    {
        var level = new Level(sku, clock.GetUtcNow());
        _levels[sku] = level;
        return level;
    }

    private void Touch(Level level)
    {
        level.Version++;
        level.UpdatedAt = clock.GetUtcNow();
    }

    private void SetOnHand(Level level, int onHand, bool announce)
    {
        var delta = onHand - level.OnHand;
        level.OnHand = onHand;
        Touch(level);
        if (announce)
        {
            webhooks.Publish(NewEvent(EventTypes.Delta, [new EventItem(level.Sku, level.OnHand, delta, level.Version, level.UpdatedAt)]));
        }
    }

    private WarehouseEvent NewEvent(string type, IReadOnlyList<EventItem> items) =>
        new($"evt_{Guid.NewGuid():N}", type, _system, clock.GetUtcNow(), items);

    /// <summary>One SKU's level; changed only under the book's lock.</summary>
    private sealed class Level(string sku, DateTimeOffset createdAt)
    {
        public string Sku { get; } = sku;
        public int OnHand { get; set; }
        public int Reserved { get; set; }
        public int Available => OnHand - Reserved;
        public long Version { get; set; }
        public DateTimeOffset UpdatedAt { get; set; } = createdAt;

        public StockItem View() => new(Sku, OnHand, Reserved, Version, UpdatedAt);

        public StockChange Change() => new(Sku, OnHand, Reserved, Version, Applied: true);
    }

    private sealed class Reservation(string id, string sku, int quantity, DateTimeOffset createdAt)
    {
        public string Sku { get; } = sku;
        public int Quantity { get; } = quantity;
        public int Held { get; set; } = quantity;
        public string Status { get; set; } = ReservationStatus.Held;

        public ReservationView View() => new(id, Sku, Quantity, Held, Status, createdAt);
    }

    /// <summary>A call and, for adjustments and commits, the answer kept for its idempotency key.</summary>
    private sealed class Call(string kind, string idempotencyKey, string sku, object? request, DateTimeOffset firstSeenAt)
    {
        public string Kind { get; } = kind;
        public string IdempotencyKey { get; } = idempotencyKey;
        public string Sku { get; } = sku;
        public object? Request { get; } = request;
        public int? Quantity { get; init; }
        public int? Delta { get; init; }
        public string? Reference { get; init; }
        public string? ReservationId { get; init; }
        public int TimesReceived { get; set; } = 1;
        public bool Applied { get; private set; }
        public int StatusCode { get; set; }
        public StockChange? Answer { get; private set; }
        public Refusal? Refusal { get; private set; }

        public BookAnswer<T> Apply<T>(T answer) where T : class
        {
            Applied = true;
            StatusCode = StatusCodes.Status200OK;
            Answer = answer as StockChange;
            return new(answer, null, Replayed: false);
        }

        public BookAnswer<StockChange> Refuse(Refusal refusal) => Refuse<StockChange>(refusal);

        public BookAnswer<T> Refuse<T>(Refusal refusal) where T : class
        {
            StatusCode = refusal.StatusCode;
            Refusal = refusal;
            return new(null, refusal, Replayed: false);
        }

        public RequestLogEntry View() => new(
            IdempotencyKey, Kind, Sku, Quantity, Delta, Reference, ReservationId, firstSeenAt, TimesReceived, Applied, StatusCode);
    }
}
