using System.Globalization;
using Marketplace.Web.Components.Admin;
using Marketplace.Web.Services;
using AngleSharp.Dom;
using MudBlazor;

namespace Marketplace.Web.Tests;

/// <summary>The product editor's typed attributes: added, edited and removed, each value checked against its type as it is typed.</summary>
public sealed class AttributeEditorTests : WebTestContext
{
    private List<AttributeModel> _attributes = [];
    private int _changes;

    private IRenderedComponent<AttributeEditor> RenderEditor() =>
        Render<AttributeEditor>(p => p
            .Add(c => c.Attributes, _attributes)
            .Add(c => c.AttributesChanged, (List<AttributeModel> a) => { _attributes = a; _changes++; }));

    private static void Type<T>(IRenderedComponent<T> cut, string testId, int row, string text) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.FindAll($"input[data-testid='{testId}']")[row].Input(text);

    private static string? ErrorOf<T>(IRenderedComponent<T> cut, string testId, int row) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.FindAll($"input[data-testid='{testId}']")[row].Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();

    [Fact]
    public void An_added_attribute_is_a_new_row_that_is_edited_in_place()
    {
        var cut = RenderEditor();
        Assert.NotNull(cut.Find("[data-testid='no-attributes']"));

        cut.Find("[data-testid='attribute-add'] button, button[data-testid='attribute-add']").Click();
        Assert.Single(cut.FindAll("[data-testid='attribute-row']"));

        Type(cut, "attribute-name", 0, "material");
        Type(cut, "attribute-value", 0, "Recycled cotton");

        var attribute = Assert.Single(_attributes);
        Assert.Equal(new AttributeRequest("material", "text", "Recycled cotton", null), attribute.ToRequest());
        Assert.True(_changes >= 3);
    }

    [Fact]
    public void A_number_attribute_refuses_words_as_they_are_typed_and_sends_numbers_invariantly()
    {
        _attributes = [new AttributeModel { Name = "batteryHours", Type = "number", Value = "30", Unit = "h" }];
        var cut = RenderEditor();

        Type(cut, "attribute-value", 0, "thirty");
        cut.WaitForAssertion(() => Assert.Equal("Enter a number, such as 6.1.", ErrorOf(cut, "attribute-value", 0)));

        Type(cut, "attribute-value", 0, "6.5");
        cut.WaitForAssertion(() => Assert.Null(ErrorOf(cut, "attribute-value", 0)));
        Assert.Equal(new AttributeRequest("batteryHours", "number", "6.5", "h"), _attributes[0].ToRequest());
    }

    [Fact]
    public void A_comma_is_never_read_as_a_thousands_separator_in_a_number_attribute()
    {
        _attributes = [new AttributeModel { Name = "screenInches", Type = "number", Value = "6" }];
        var cut = RenderEditor();

        // In en-US "6,1" is neither 6.1 nor (as the invariant form with thousands would read it) 61: it is refused.
        Type(cut, "attribute-value", 0, "6,1");
        cut.WaitForAssertion(() => Assert.Equal("Enter a number, such as 6.1.", ErrorOf(cut, "attribute-value", 0)));
        Assert.Null(AttributeModel.ParseNumber("1,000"));

        // Where the comma is the decimal separator, it is one, and the value goes to the API as 6.1.
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        Assert.Equal(6.1m, AttributeModel.ParseNumber("6,1"));
        Assert.Null(AttributeModel.ValidateValue("number", "6,1"));
    }

    [Fact]
    public async Task A_value_typed_before_its_type_is_picked_is_judged_by_the_type_picked()
    {
        _attributes = [new AttributeModel { Name = "batteryHours" }];
        var cut = RenderEditor();
        Type(cut, "attribute-value", 0, "twelve");
        Assert.Null(ErrorOf(cut, "attribute-value", 0)); // words are a fine text value

        // The type arrives after the value (in the browser, the pick's round trip can be overtaken by the typing).
        var type = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Type");
        await cut.InvokeAsync(() => type.Instance.ValueChanged.InvokeAsync("number"));

        cut.WaitForAssertion(() => Assert.Equal("Enter a number, such as 6.1.", ErrorOf(cut, "attribute-value", 0)));
        Assert.Equal("number", _attributes[0].Type);
    }

    [Fact]
    public void Names_must_be_valid_and_distinct()
    {
        _attributes = [new AttributeModel { Name = "colour", Value = "Red" }, new AttributeModel { Name = "size", Value = "M" }];
        var cut = RenderEditor();

        Type(cut, "attribute-name", 1, "Colour");
        cut.WaitForAssertion(() => Assert.Equal("“Colour” is already an attribute.", ErrorOf(cut, "attribute-name", 1)));

        Type(cut, "attribute-name", 1, "2nd size");
        cut.WaitForAssertion(() => Assert.Equal("Start with a letter; then letters, digits, '_' or '-' (at most 40).", ErrorOf(cut, "attribute-name", 1)));
    }

    [Fact]
    public void A_yes_no_attribute_has_no_unit_and_sends_true_or_false()
    {
        _attributes = [new AttributeModel { Name = "waterproof", Type = "text", Value = "sort of", Unit = "IP" }];
        var cut = RenderEditor();

        cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("boolean"));

        cut.WaitForAssertion(() => Assert.Equal(new AttributeRequest("waterproof", "boolean", "true", null), _attributes[0].ToRequest()));
        Assert.True(cut.Find("input[data-testid='attribute-unit']").HasAttribute("disabled"));
    }

    [Fact]
    public void Removing_an_attribute_takes_only_its_row()
    {
        _attributes = [new AttributeModel { Name = "colour", Value = "Red" }, new AttributeModel { Name = "size", Value = "M" }];
        var cut = RenderEditor();

        cut.FindAll("[data-testid='attribute-remove']")[0].Click();

        Assert.Equal(["size"], _attributes.Select(a => a.Name));
        Assert.Single(cut.FindAll("[data-testid='attribute-row']"));
        Assert.Equal("size", cut.Find("input[data-testid='attribute-name']").GetAttribute("value"));
    }
}
