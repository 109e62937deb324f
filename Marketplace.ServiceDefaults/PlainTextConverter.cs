using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Reads every JSON string of a request as text a person could have typed: a lone surrogate or a control
/// character other than tab and line breaks is refused as invalid JSON for that member (and so answered with a
/// 400 naming it) instead of reaching a database that cannot store it (PostgreSQL refuses <c>\u0000</c>) or a
/// page that would show it.
/// </summary>
public sealed class PlainTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, not {Describe(reader.TokenType)}.");
        }
        return Checked(ref reader);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>A dictionary's string keys (a validation problem's <c>errors</c>, say) are text too: held to the same rule.</summary>
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(ref reader) ?? "";

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Checked(ref Utf8JsonReader reader)
    {
        string? text;
        try
        {
            text = reader.GetString();
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException("The text is not valid Unicode.", e);
        }
        if (text is not null && FirstUnwanted(text) is { } index)
        {
            throw new JsonException(char.IsSurrogate(text[index])
                ? "The text is not valid Unicode (a lone surrogate)."
                : $"The text contains a control character (U+{(int)text[index]:X4}).");
        }
        return text;
    }

    /// <summary>The index of the first character no person types into a form, or null when there is none.</summary>
    public static int? FirstUnwanted(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || (char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
            {
                return i;
            }
        }
        return null;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true or false",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
