using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>
/// The converter every service's JSON options carry for strings also meets strings as dictionary keys: a validation
/// problem's <c>errors</c> is written (it was a 500 whenever the first problem of a process took that path), and a key
/// with a control character is refused like any other text.
/// </summary>
public sealed class PlainTextConverterTests
{
    /// <summary>As the services' HTTP options are: the converter, and source-generated metadata first (ASP.NET Core puts its problem types' there).</summary>
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new PlainTextConverter() },
        TypeInfoResolverChain = { ErrorsJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() },
    };

    [Fact]
    public void A_validation_problems_errors_are_written_with_their_field_names()
    {
        // The shape the problem writer serialises: field name → messages.
        var errors = new Dictionary<string, string[]> { ["unreadOnly"] = ["unreadOnly must be true or false."] };

        var json = JsonSerializer.SerializeToElement(errors, Options);

        Assert.Equal("unreadOnly must be true or false.", json.GetProperty("unreadOnly")[0].GetString());
    }

    [Fact]
    public void A_dictionary_round_trips_and_a_key_with_a_control_character_is_refused()
    {
        var back = JsonSerializer.Deserialize<Dictionary<string, string>>("""{"name":"Ada"}""", Options);
        Assert.Equal("Ada", back!["name"]);

        var refused = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dictionary<string, string>>("{\"na\\u0007me\":\"Ada\"}", Options));
        Assert.Contains("control character", refused.Message);
    }
}

[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ErrorsJsonContext : JsonSerializerContext;
