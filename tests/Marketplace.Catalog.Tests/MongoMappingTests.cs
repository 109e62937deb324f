using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Marketplace.Shared.Contracts;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace Marketplace.Catalog.Tests;

/// <summary>The MongoDB adapter's documents and queries, checked without a server.</summary>
public sealed class MongoMappingTests
{
    static MongoMappingTests() => MongoProductStore.RegisterClassMaps();

    private static readonly Product Sample = new()
    {
        Id = Guid.Parse("0190f5a2-7c1e-7d3a-9f00-000000000001"),
        MerchantId = Guid.Parse("5a0f3c1e-0000-4000-8000-000000000001"),
        Title = "Acme Phone", Brand = "Acme", Category = "Electronics/Phones", Price = 199.99m, Currency = "USD",
        Variants = [new ProductVariant { Sku = "ACM-1", Options = new() { ["colour"] = "Blue" }, PriceOverride = 209.99m }, new ProductVariant { Sku = "ACM-2" }],
        Attributes = [new ProductAttribute { Name = "screen", Type = ProductAttribute.Number, Value = "6.1", Unit = "in" }],
        IsPublished = true, Version = 3,
    };

    private static BsonDocument Render(FilterDefinition<Product> filter) =>
        filter.Render(new RenderArgs<Product>(BsonSerializer.SerializerRegistry.GetSerializer<Product>(), BsonSerializer.SerializerRegistry));

    [Fact]
    public void Ids_are_standard_uuids_and_money_is_decimal128()
    {
        var document = Sample.ToBsonDocument();

        var id = document["_id"].AsBsonBinaryData;
        Assert.Equal(BsonBinarySubType.UuidStandard, id.SubType);
        Assert.Equal(Sample.Id, id.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(BsonBinarySubType.UuidStandard, document["MerchantId"].AsBsonBinaryData.SubType);
        Assert.Equal(BsonType.Decimal128, document["Price"].BsonType);
        Assert.Equal(199.99m, document["Price"].AsDecimal);
        Assert.Equal(BsonType.Decimal128, document["Variants"][0]["PriceOverride"].BsonType);
        Assert.Equal(BsonNull.Value, document["Variants"][1]["PriceOverride"]);
        Assert.Equal("number", document["Attributes"][0]["Type"].AsString);
        Assert.Equal(3L, document["Version"].ToInt64());
    }

    [Fact]
    public void A_document_reads_back_equal_and_unknown_fields_are_ignored()
    {
        var document = Sample.ToBsonDocument();
        document["addedByALaterVersion"] = "ignored";

        var product = BsonSerializer.Deserialize<Product>(document);

        Assert.Equal(Sample.Id, product.Id);
        Assert.Equal(209.99m, product.Variants[0].PriceOverride);
        Assert.Null(product.Variants[1].PriceOverride);
        Assert.Equal("Blue", product.Variants[0].Options["colour"]);
        Assert.Equal("in", product.Attributes[0].Unit);
    }

    [Fact]
    public void A_category_filter_matches_the_category_and_its_descendants_only()
    {
        var rendered = Render(MongoProductStore.BuildFilter(new ProductQuery("Electronics/Phones", PublishedOnly: true)));

        Assert.True(rendered["IsPublished"].AsBoolean);
        var regex = rendered["Category"].AsBsonRegularExpression;
        Assert.Equal("^Electronics/Phones(/|$)", regex.Pattern);
        Assert.Matches(regex.Pattern, "Electronics/Phones");
        Assert.Matches(regex.Pattern, "Electronics/Phones/Cases");
        Assert.DoesNotMatch(regex.Pattern, "Electronics/PhonesAndMore");
    }

    [Fact]
    public void A_category_with_regex_characters_is_matched_literally()
    {
        var rendered = Render(MongoProductStore.BuildFilter(new ProductQuery("Toys/Games (2+)", PublishedOnly: false)));

        Assert.False(rendered.Contains("IsPublished"));
        Assert.Equal(@"^Toys/Games\ \(2\+\)(/|$)", rendered["Category"].AsBsonRegularExpression.Pattern);
    }

    [Fact]
    public void Replace_and_delete_name_the_version_they_read()
    {
        var rendered = Render(MongoProductStore.BuildVersionFilter(Sample.Id, 3));

        Assert.Equal(Sample.Id, rendered["_id"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(3L, rendered["Version"].ToInt64());
    }

    [Fact]
    public void A_scan_resumes_after_the_last_id_it_saw()
    {
        var rendered = Render(MongoProductStore.BuildScanFilter(Sample.Id, publishedOnly: true));

        Assert.Equal(Sample.Id, rendered["_id"]["$gt"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.True(rendered["IsPublished"].AsBoolean);
    }

    [Fact]
    public void Products_are_found_by_the_skus_of_their_variants()
    {
        var rendered = Render(MongoProductStore.BuildSkuFilter(["A-1", "B-2"]));

        Assert.Equal(new BsonArray { "A-1", "B-2" }, rendered["Variants.Sku"]["$in"]);
    }

    [Fact]
    public void Skus_are_unique_across_products()
    {
        var keys = MongoProductStore.SkuIndex.Keys.Render(new RenderArgs<Product>(BsonSerializer.SerializerRegistry.GetSerializer<Product>(), BsonSerializer.SerializerRegistry));

        Assert.Equal(new BsonDocument("Variants.Sku", 1), keys);
        Assert.True(MongoProductStore.SkuIndex.Options.Unique);
    }

    private static BsonDocument Render(UpdateDefinition<BsonDocument> update) =>
        update.Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry)).AsBsonDocument;

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));

    private static EmbeddedEvent Updated() =>
        EmbeddedEvent.From(new ProductUpdated(Sample.ToSnapshot(), DateTimeOffset.UtcNow), TimeProvider.System);

    [Fact]
    public void A_new_document_carries_its_events_which_come_back_as_published_messages()
    {
        var published = EmbeddedEvent.From(new ProductPublished(Sample.ToSnapshot(), DateTimeOffset.UtcNow), TimeProvider.System);

        var document = MongoOutbox.Insert(Sample, [published]);

        Assert.Equal("Acme Phone", document["Title"].AsString);
        var stored = BsonSerializer.Deserialize<EmbeddedEvent>(Assert.Single(document[MongoOutbox.OutboxField].AsBsonArray).AsBsonDocument);
        Assert.Equal(published.EventId, stored.EventId);
        Assert.Equal(BsonBinarySubType.UuidStandard, document[MongoOutbox.OutboxField][0]["EventId"].AsBsonBinaryData.SubType);
        var message = Assert.IsType<ProductPublished>(stored.ToOutboxMessage().Deserialize());
        Assert.Equal(Sample.Id, message.Product.ProductId);
        Assert.Equal(published.EventId, stored.ToOutboxMessage().Id);
    }

    [Fact]
    public void A_replace_sets_each_field_and_appends_its_events_so_events_still_waiting_stay()
    {
        var update = Render(MongoOutbox.Replace(Sample, [Updated()]));

        var set = update["$set"].AsBsonDocument;
        Assert.Equal("Acme Phone", set["Title"].AsString);
        Assert.Equal(3L, set["Version"].ToInt64());
        Assert.False(set.Contains("_id"));
        Assert.False(set.Contains(MongoOutbox.OutboxField));
        var pushed = update["$push"][MongoOutbox.OutboxField]["$each"].AsBsonArray;
        Assert.Contains("ProductUpdated", Assert.Single(pushed)["Type"].AsString);
    }

    [Fact]
    public void A_delete_marks_the_product_with_its_new_version_and_carries_its_event()
    {
        var update = Render(MongoOutbox.Delete(4, [Updated()]));

        Assert.True(update["$set"][MongoOutbox.DeletedField].AsBoolean);
        Assert.Equal(4L, update["$set"]["Version"].ToInt64());
        Assert.Single(update["$push"][MongoOutbox.OutboxField]["$each"].AsBsonArray);
    }

    [Fact]
    public void Reads_and_writes_never_see_a_deleted_product()
    {
        Assert.True(Render(MongoProductStore.BuildFilter(new ProductQuery())).Contains(MongoOutbox.DeletedField));
        Assert.True(Render(MongoProductStore.BuildScanFilter(null, publishedOnly: false))[MongoOutbox.DeletedField]["$ne"].AsBoolean);
        Assert.True(Render(MongoProductStore.BuildVersionFilter(Sample.Id, 3))[MongoOutbox.DeletedField]["$ne"].AsBoolean);
        Assert.True(Render(MongoProductStore.BuildSkuFilter(["ACM-1"]))[MongoOutbox.DeletedField]["$ne"].AsBoolean);
    }

    [Fact]
    public void The_relay_leases_a_document_with_waiting_events_that_no_live_lease_holds()
    {
        var now = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

        var filter = Render(MongoOutbox.Pending(now));
        var claim = Render(MongoOutbox.Claim(now.AddSeconds(30)));

        Assert.True(filter[MongoOutbox.PendingKey]["$exists"].AsBoolean);
        var either = filter["$or"].AsBsonArray;
        Assert.False(either[0][MongoOutbox.LeaseField]["$exists"].AsBoolean);
        Assert.Equal(now, either[1][MongoOutbox.LeaseField]["$lt"].ToUniversalTime());
        Assert.Equal(now.AddSeconds(30), claim["$set"][MongoOutbox.LeaseField].ToUniversalTime());
    }

    [Fact]
    public void A_published_event_is_pulled_by_its_id_and_a_deleted_product_goes_when_none_is_left()
    {
        var id = Guid.NewGuid();

        var pull = Render(MongoOutbox.Published(id));
        var purge = Render(MongoOutbox.Purgeable(new BsonBinaryData(Sample.Id, GuidRepresentation.Standard)));

        Assert.Equal(id, pull["$pull"][MongoOutbox.OutboxField]["EventId"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.True(purge[MongoOutbox.DeletedField].AsBoolean);
        Assert.Equal(0, purge[MongoOutbox.OutboxField]["$size"].AsInt32);
    }
}
