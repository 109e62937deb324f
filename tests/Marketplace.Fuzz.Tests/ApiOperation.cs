using System.Text.Json.Nodes;

namespace Marketplace.Fuzz.Tests;

public enum ParameterLocation { Path, Query, Header }

public sealed record ApiParameter(string Name, ParameterLocation In, bool Required, JsonObject Schema);

/// <summary>One operation of a service's OpenAPI document, its schemas resolved.</summary>
public sealed record ApiOperation(string Service, string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonObject? JsonBody, bool FormBody)
{
    public bool HasBody => JsonBody is not null || FormBody;

    public override string ToString() => $"{Method} {Path}";

    /// <summary>
    /// The operations of an OpenAPI 3.x document that the gateway routes (internal service-to-service paths are not
    /// public and are left out), with every <c>$ref</c> resolved against its components.
    /// </summary>
    public static IEnumerable<ApiOperation> Read(string service, JsonNode document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (path.StartsWith("/internal", StringComparison.Ordinal) || item is null)
            {
                continue;
            }
            var shared = item["parameters"]?.AsArray() ?? [];
            foreach (var (method, operation) in item.AsObject())
            {
                if (operation is not JsonObject op || method is "parameters" or "summary" or "description" or "servers")
                {
                    continue;
                }
                var parameters = shared.Concat(op["parameters"]?.AsArray() ?? [])
                    .OfType<JsonObject>()
                    .Select(p => new ApiParameter(
                        p["name"]!.GetValue<string>(),
                        p["in"]!.GetValue<string>() switch { "path" => ParameterLocation.Path, "header" => ParameterLocation.Header, _ => ParameterLocation.Query },
                        p["required"]?.GetValue<bool>() == true,
                        Resolve(p["schema"] as JsonObject ?? [], schemas, 0)))
                    .ToList();
                var content = op["requestBody"]?["content"]?.AsObject();
                var json = content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?["schema"] as JsonObject;
                var form = content?.Any(c => c.Key.Contains("form", StringComparison.OrdinalIgnoreCase)) == true;
                yield return new ApiOperation(service, method.ToUpperInvariant(), path, parameters,
                    json is null ? null : Resolve(json, schemas, 0), form);
            }
        }
    }

    /// <summary>A schema with its references replaced by their targets (to a depth that recursive types cannot exhaust).</summary>
    private static JsonObject Resolve(JsonObject schema, JsonObject? components, int depth)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            return depth > 6 || components?[name] is not JsonObject target ? [] : Resolve(target, components, depth + 1);
        }
        var copy = new JsonObject();
        foreach (var (key, value) in schema)
        {
            copy[key] = value switch
            {
                JsonObject inner when key is "items" or "additionalProperties" => Resolve(inner, components, depth + 1),
                JsonObject properties when key is "properties" => new JsonObject(properties
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)(p.Value is JsonObject o ? Resolve(o, components, depth + 1) : null)))),
                JsonArray options when key is "oneOf" or "anyOf" or "allOf" => new JsonArray([.. options.OfType<JsonObject>().Select(o => (JsonNode)Resolve(o, components, depth + 1))]),
                _ => value?.DeepClone(),
            };
        }
        return copy;
    }
}

/// <summary>What a schema says a value is, read the way ASP.NET Core's OpenAPI documents say it (3.1 type arrays included).</summary>
public static class SchemaKind
{
    public static string TypeOf(JsonObject schema)
    {
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray { Count: > 0 } options)
        {
            return options.OfType<JsonObject>().Select(TypeOf).FirstOrDefault(t => t != "null") ?? "null";
        }
        return schema["type"] switch
        {
            JsonValue v => v.GetValue<string>(),
            // ["integer", "string"] (numbers also read from strings), ["string", "null"]: the first that is not a fallback.
            JsonArray types => types.Select(t => t!.GetValue<string>()).OrderBy(t => t switch { "null" => 2, "string" => 1, _ => 0 }).FirstOrDefault() ?? "object",
            _ => schema["properties"] is not null ? "object" : schema["items"] is not null ? "array" : "any",
        };
    }

    public static bool AllowsNull(JsonObject schema) =>
        schema["nullable"]?.GetValue<bool>() == true
        || schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null")
        || (schema["oneOf"] ?? schema["anyOf"]) is JsonArray options && options.OfType<JsonObject>().Any(o => TypeOf(o) == "null");

    public static string? FormatOf(JsonObject schema) =>
        schema["format"]?.GetValue<string>()
        ?? (schema["oneOf"] ?? schema["anyOf"])?.AsArray().OfType<JsonObject>().Select(FormatOf).FirstOrDefault(f => f is not null);

    public static IEnumerable<string> Required(JsonObject schema) =>
        schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];

    public static IEnumerable<KeyValuePair<string, JsonObject>> Properties(JsonObject schema) =>
        schema["properties"]?.AsObject().Where(p => p.Value is JsonObject).Select(p => KeyValuePair.Create(p.Key, (JsonObject)p.Value!)) ?? [];
}
