using Marketplace.Catalog.Api;
using Marketplace.Catalog.Contracts;

namespace Marketplace.Catalog.Tests;

/// <summary>The product rules Catalog and the merchant console share, at their edges, and Catalog's use of them.</summary>
public sealed class ProductRulesTests
{
    [Theory]
    [InlineData("Electronics/Audio", true)]
    [InlineData(" Electronics / Audio ", true)]
    [InlineData("Home & Garden/Fire-pits", true)]
    [InlineData("Électronique/Écouteurs", true)]
    [InlineData("Electronics/ /Audio", false)] // a name of spaces alone would be stored as an empty one
    [InlineData("Electronics//Audio", false)]
    [InlineData("A/B/C/D/E", true)]
    [InlineData("A/B/C/D/E/F", false)]
    [InlineData("Electronics/Audio!", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_category_is_a_path_of_one_to_five_names(string? category, bool valid) =>
        Assert.Equal(valid, ProductRules.IsCategoryPath(category));

    [Fact]
    public void A_category_name_is_at_most_sixty_characters_and_the_path_at_most_three_hundred()
    {
        Assert.True(ProductRules.IsCategoryPath(new string('a', 60)));
        Assert.False(ProductRules.IsCategoryPath(new string('a', 61)));
        Assert.False(ProductRules.IsCategoryPath(string.Join('/', Enumerable.Repeat(new string('a', 60), 5)) + "x"));
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("0.01", true)]
    [InlineData("1.005", false)]
    [InlineData("1000000", true)]
    [InlineData("1000000.01", false)]
    [InlineData("-5", false)]
    public void A_price_is_more_than_zero_at_most_a_million_in_whole_cents(string price, bool valid) =>
        Assert.Equal(valid, ProductRules.IsPrice(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("ABC", true)]
    [InlineData("ACME-EB3-BLK", true)]
    [InlineData("AB", false)]
    [InlineData("-ABC", false)]
    [InlineData("abc", false)]
    [InlineData("ABC DEF", false)]
    [InlineData("A234567890123456789012345678901234567890", true)]
    [InlineData("A2345678901234567890123456789012345678901", false)]
    public void A_sku_is_three_to_forty_capitals_digits_or_dashes(string sku, bool valid) =>
        Assert.Equal(valid, ProductRules.IsSku(sku));

    [Theory]
    [InlineData("number", "6.1", true)]
    [InlineData("number", "6,1", false)] // invariant form: the console converts what was typed in the merchant's culture
    [InlineData("boolean", "true", true)]
    [InlineData("boolean", "yes", false)]
    [InlineData("text", "cotton", true)]
    [InlineData("text", " ", false)]
    public void An_attribute_value_fits_its_type(string type, string value, bool valid) =>
        Assert.Equal(valid, ProductRules.AttributeValueFits(type, value));

    [Fact]
    public void Catalog_refuses_what_the_rules_refuse_under_the_fields_name()
    {
        var request = new ProductRequest(null, "Earbuds", null, "Acme", "Electronics/ /Audio", 1.005m, "usd", ["//evil.example/x.png"],
            [new VariantRequest("ab", null, null)], [new AttributeRequest("1st", "number", "6,1", new string('u', 21))]);

        var errors = ProductValidation.Validate(request);

        Assert.Equal(
            ["attributes[0].name", "attributes[0].unit", "attributes[0].value", "category", "currency", "imageUrls[0]", "price", "variants[0].sku"],
            errors.Keys.Order(StringComparer.Ordinal));
    }
}
