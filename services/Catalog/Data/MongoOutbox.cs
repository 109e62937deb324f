using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Marketplace.Catalog.Data;

/// <summary>
/// An event waiting inside its product's MongoDB document. A single-document write is atomic in MongoDB
/// (no replica set or transaction needed), so a change and the events it announces are stored together or
/// not at all, exactly as the PostgreSQL outbox does it in one transaction.
/// </summary>
public sealed class EmbeddedEvent
{
    /// <summary>The broker MessageId (not named Id: that would make it the embedded document's _id).</summary>
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public Guid EventId { get; set; }
    public string Type { get; set; } = "";
    public string Body { get; set; } = "";
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }
    public string? CorrelationId { get; set; }
    public DateTime CreatedAt { get; set; }

    public static EmbeddedEvent From(IIntegrationEvent e, TimeProvider clock)
    {
        var row = OutboxMessage.Create(e, clock);
        return new EmbeddedEvent
        {
            EventId = row.Id, Type = row.MessageType, Body = row.Body, TraceParent = row.TraceParent, TraceState = row.TraceState,
            CorrelationId = row.CorrelationId, CreatedAt = row.CreatedAt.UtcDateTime,
        };
    }

    public OutboxMessage ToOutboxMessage() =>
        OutboxMessage.Restore(EventId, Type, Body, TraceParent, TraceState, CorrelationId, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
}

/// <summary>The field names and update definitions of the document outbox (rendered and checked without a server in the tests).</summary>
public static class MongoOutbox
{
    public const string OutboxField = "Outbox";
    /// <summary>A deleted product stays, marked, until its last event is published; reads never see it.</summary>
    public const string DeletedField = "Deleted";
    public const string LeaseField = "OutboxLease";

    /// <summary>Present exactly when some event waits; the sparse index on it keeps the relay's search small.</summary>
    public const string PendingKey = $"{OutboxField}.{nameof(EmbeddedEvent.EventId)}";

    public static FilterDefinition<T> NotDeleted<T>() => Builders<T>.Filter.Ne(DeletedField, true);

    /// <summary>The product's fields set one by one (so events still waiting in the document are kept) and its new events appended.</summary>
    public static UpdateDefinition<BsonDocument> Replace(Product product, IEnumerable<EmbeddedEvent> events)
    {
        var update = Builders<BsonDocument>.Update;
        var sets = product.ToBsonDocument().Where(e => e.Name != "_id").Select(e => update.Set(e.Name, e.Value)).ToList();
        return update.Combine([.. sets, update.PushEach(OutboxField, events.Select(e => e.ToBsonDocument()))]);
    }

    public static UpdateDefinition<BsonDocument> Delete(long newVersion, IEnumerable<EmbeddedEvent> events)
    {
        var update = Builders<BsonDocument>.Update;
        return update.Combine(
            update.Set(DeletedField, true),
            update.Set(nameof(Product.Version), newVersion),
            update.PushEach(OutboxField, events.Select(e => e.ToBsonDocument())));
    }

    /// <summary>A new product document carrying its first events.</summary>
    public static BsonDocument Insert(Product product, IEnumerable<EmbeddedEvent> events)
    {
        var document = product.ToBsonDocument();
        document[OutboxField] = new BsonArray(events.Select(e => e.ToBsonDocument()));
        return document;
    }

    /// <summary>A document with events to publish that no relay holds (or whose relay's lease ran out).</summary>
    public static FilterDefinition<BsonDocument> Pending(DateTime now) =>
        Builders<BsonDocument>.Filter.Exists(PendingKey)
        & (Builders<BsonDocument>.Filter.Exists(LeaseField, false) | Builders<BsonDocument>.Filter.Lt(LeaseField, now));

    public static UpdateDefinition<BsonDocument> Claim(DateTime until) => Builders<BsonDocument>.Update.Set(LeaseField, until);

    /// <summary>Removes a published event (by its id, so events appended meanwhile stay) and lets the lease go.</summary>
    public static UpdateDefinition<BsonDocument> Published(Guid eventId) =>
        Builders<BsonDocument>.Update.PullFilter(OutboxField, Builders<BsonDocument>.Filter.Eq(nameof(EmbeddedEvent.EventId), new BsonBinaryData(eventId, GuidRepresentation.Standard)));

    /// <summary>A deleted product whose every event is out: it can go for good.</summary>
    public static FilterDefinition<BsonDocument> Purgeable(BsonValue id) =>
        Builders<BsonDocument>.Filter.Eq("_id", id) & Builders<BsonDocument>.Filter.Eq(DeletedField, true) & Builders<BsonDocument>.Filter.Size(OutboxField, 0);
}

public sealed class MongoOutboxOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Publishes the events waiting in product documents, on every Catalog replica: a relay leases one document
/// at a time (findOneAndUpdate), publishes its events in order with their ids as MessageIds, pulls each
/// once published and purges a deleted product when its last event is out. A crash between publish and
/// pull publishes again, which consumers (by MessageId and by version) shrug off.
/// </summary>
public sealed class MongoOutboxRelay(
    IMongoCollection<Product> products, IBus bus, OutboxSignal signal, TimeProvider clock, IOptions<MongoOutboxOptions> options, ILogger<MongoOutboxRelay> logger)
    : LeasedBatchWorker(signal, clock, logger)
{
    private readonly IMongoCollection<BsonDocument> _documents = products.Database.GetCollection<BsonDocument>(products.CollectionNamespace.CollectionName);

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override Task<bool> PassAsync(CancellationToken ct) => RelayOneAsync(ct);

    /// <summary>Publishes the events of one leased document; false when none waits.</summary>
    public async Task<bool> RelayOneAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var document = await _documents.FindOneAndUpdateAsync(MongoOutbox.Pending(now), MongoOutbox.Claim(now + options.Value.Lease),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After }, ct);
        if (document is null)
        {
            return false;
        }
        var id = document["_id"];
        foreach (var entry in document[MongoOutbox.OutboxField].AsBsonArray)
        {
            var e = MongoDB.Bson.Serialization.BsonSerializer.Deserialize<EmbeddedEvent>(entry.AsBsonDocument);
            await OutboxPublishing.PublishAsync(bus, e.ToOutboxMessage(), options.Value.PublishTimeout, ct);
            await _documents.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", id), MongoOutbox.Published(e.EventId), cancellationToken: ct);
        }
        await _documents.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", id), Builders<BsonDocument>.Update.Unset(MongoOutbox.LeaseField), cancellationToken: ct);
        await _documents.DeleteOneAsync(MongoOutbox.Purgeable(id), ct);
        return true;
    }
}
