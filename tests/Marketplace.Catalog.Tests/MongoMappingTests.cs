using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
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
}
