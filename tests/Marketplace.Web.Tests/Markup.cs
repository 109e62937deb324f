using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;

namespace Marketplace.Web.Tests;

/// <summary>Finding MudBlazor's controls the way a user does: by the text of their label.</summary>
public static class Markup
{
    public static IElement CheckBox<T>(this IRenderedComponent<T> cut, string label) where T : IComponent =>
        cut.FindAll("label.mud-checkbox").Single(l => l.TextContent.Trim() == label).QuerySelector("input[type=checkbox]")!;

    public static IReadOnlyList<string> CheckBoxLabels<T>(this IRenderedComponent<T> cut, string group) where T : IComponent =>
        [.. cut.Find($"[data-testid='{group}']").QuerySelectorAll("label.mud-checkbox").Select(l => l.TextContent.Trim())];

    public static bool IsChecked(this IElement checkbox) => checkbox.Closest("label")!.QuerySelector(".mud-checkbox-true") is not null;

    /// <summary>The texts of the elements marked <c>data-testid</c>.</summary>
    public static IReadOnlyList<string> Texts<T>(this IRenderedComponent<T> cut, string testId) where T : IComponent =>
        [.. cut.FindAll($"[data-testid='{testId}']").Select(e => e.TextContent.Trim())];
}
