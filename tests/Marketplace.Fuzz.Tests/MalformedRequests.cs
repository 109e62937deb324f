using System.Text;
using System.Text.Json.Nodes;

namespace Marketplace.Fuzz.Tests;

/// <summary>
/// A request that is wrong in one way, described by what is wrong with it. <see cref="MustRefuse"/> is false for
/// values at the edge of what may be legal (an empty optional text, a negative delta, int.MaxValue): those must
/// not fail the server either, but a service may accept them, so they do not take part in the "nothing changed" check.
/// </summary>
public sealed record FuzzCase(ApiOperation Operation, string Flaw, bool MustRefuse, Func<HttpRequestMessage> Build);

/// <summary>
/// Malformed variants of an operation, generated from its schema: each starts from a request shaped as the
/// document says and breaks one thing — the body's syntax, one member's type, range, text or size, a path or
/// query parameter, a header, the content type or the body's size.
/// </summary>
public static class MalformedRequests
{
    private const string Json = "application/json";
    private static readonly string Long = new('a', 100_000);

    public static IEnumerable<FuzzCase> For(ApiOperation op)
    {
        var body = op.JsonBody is null ? null : Example(op.JsonBody, 0);
        var baseBody = body?.ToJsonString();

        var objectBody = op.JsonBody is not null && SchemaKind.TypeOf(op.JsonBody) == "object";
        foreach (var (flaw, text, must) in SyntaxErrors())
        {
            if (op.JsonBody is not null && (objectBody || !flaw.Contains("instead of an object", StringComparison.Ordinal)))
            {
                yield return Case(op, $"body: {flaw}", must, Path(op, null), text, Json);
            }
        }
        if (op.JsonBody is not null)
        {
            var members = Members(op.JsonBody, "", 0).ToList();
            // Bytes that are not UTF-8 in a text member's value (an unknown member's name would only be skipped).
            if (members.FirstOrDefault(m => SchemaKind.TypeOf(m.Schema) == "string" && SchemaKind.FormatOf(m.Schema) is null && m.Schema["enum"] is null) is { Path: not null } text)
            {
                var parts = Replace(body!, text.Path, "\"@@not-utf8@@\"").Split("@@not-utf8@@");
                yield return Case(op, $"body {text.Path}: invalid UTF-8", true, Path(op, null),
                    [.. Encoding.UTF8.GetBytes(parts[0]), 0xFF, 0xFE, 0xC3, .. Encoding.UTF8.GetBytes(parts[1])], Json);
            }
            foreach (var (member, schema, required) in members)
            {
                foreach (var (flaw, value) in ValuesFor(schema, required))
                {
                    var mutated = Replace(body!, member, value);
                    yield return Case(op, $"body {member}: {flaw}", !EdgeValues.Contains(flaw), Path(op, null), mutated, Json);
                }
            }
            foreach (var contentType in (string?[])["text/plain", "application/xml", "application/x-www-form-urlencoded", null])
            {
                yield return Case(op, $"content type {contentType ?? "missing"}", true, Path(op, null), baseBody!, contentType);
            }
            yield return Case(op, "body of 2 MB", true, Path(op, null), $$"""{"padding":"{{new string('x', 2 * 1024 * 1024)}}"}""", Json);
        }
        if (op.FormBody)
        {
            yield return Case(op, "form: 2 MB value", false, Path(op, null), "x=" + new string('a', 2 * 1024 * 1024), "application/x-www-form-urlencoded");
            yield return Case(op, "form: invalid percent-encoding and NUL", false, Path(op, null), "a=%zz&b=%00%FF&c=%ED%A0%80", "application/x-www-form-urlencoded");
            yield return Case(op, "form: JSON sent as form", false, Path(op, null), "{\"a\":1}", Json);
        }

        foreach (var parameter in op.Parameters)
        {
            foreach (var (flaw, raw, must) in RawValuesFor(parameter))
            {
                switch (parameter.In)
                {
                    case ParameterLocation.Path:
                        yield return Case(op, $"path {parameter.Name}: {flaw}", must, Path(op, (parameter.Name, raw)), baseBody, baseBody is null ? null : Json);
                        break;
                    case ParameterLocation.Query:
                        yield return Case(op, $"query {parameter.Name}: {flaw}", must, Path(op, null) + $"?{parameter.Name}={raw}", baseBody, baseBody is null ? null : Json);
                        break;
                }
            }
            if (parameter.In == ParameterLocation.Query)
            {
                yield return Case(op, $"query {parameter.Name}: given twice", false, Path(op, null) + $"?{parameter.Name}=1&{parameter.Name}=2", baseBody, baseBody is null ? null : Json);
            }
            if (parameter.In == ParameterLocation.Header)
            {
                yield return Case(op, $"header {parameter.Name}: given twice", false, Path(op, null), baseBody, baseBody is null ? null : Json,
                    r => r.Headers.TryAddWithoutValidation(parameter.Name, ["fuzz-one", "fuzz-two"]));
                yield return Case(op, $"header {parameter.Name}: empty", false, Path(op, null), baseBody, baseBody is null ? null : Json,
                    r => r.Headers.TryAddWithoutValidation(parameter.Name, ""));
                yield return Case(op, $"header {parameter.Name}: 6 KB", false, Path(op, null), baseBody, baseBody is null ? null : Json,
                    r => r.Headers.TryAddWithoutValidation(parameter.Name, new string('k', 6 * 1024)));
                yield return Case(op, $"header {parameter.Name}: Latin-1 bytes", false, Path(op, null), baseBody, baseBody is null ? null : Json,
                    r => r.Headers.TryAddWithoutValidation(parameter.Name, "caf\u00e9-\u00ff"));
            }
        }
    }

    private static IEnumerable<(string Flaw, string Text, bool MustRefuse)> SyntaxErrors() =>
    [
        ("unclosed object", "{", true),
        ("member without value", "{\"a\":}", true),
        ("unclosed array", "[1,2", true),
        ("bare word", "nul", true),
        ("trailing comma", "{\"a\":1,}", true),
        ("text after the value", "{} {}", true),
        // An operation whose body is optional may take these as "no body".
        ("empty body", "", false),
        ("null", "null", false),
        ("a string instead of an object", "\"text\"", true),
        ("an array instead of an object", "[]", true),
        ("single quotes", "{'a':1}", true),
        ("comment", "/* hi */ {}", true),
        ("nested 2,000 deep", new string('[', 2000) + new string(']', 2000), true),
        ("lone surrogate escape", "{\"a\":\"\\ud800\"}", false),
    ];

    /// <summary>Each member of an object schema (and of its arrays' items), to a depth of two, with its schema.</summary>
    private static IEnumerable<(string Path, JsonObject Schema, bool Required)> Members(JsonObject schema, string prefix, int depth)
    {
        if (depth > 2)
        {
            yield break;
        }
        var required = SchemaKind.Required(schema).ToHashSet();
        foreach (var (name, member) in SchemaKind.Properties(schema))
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return (path, member, required.Contains(name));
            switch (SchemaKind.TypeOf(member))
            {
                case "object":
                    foreach (var inner in Members(member, path, depth + 1))
                    {
                        yield return inner;
                    }
                    break;
                case "array" when member["items"] is JsonObject items && SchemaKind.TypeOf(items) == "object":
                    foreach (var inner in Members(items, path + "[0]", depth + 1))
                    {
                        yield return inner;
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// Requests shaped as the document says, then damaged at random (seeded): bytes of the body flipped, dropped,
    /// doubled or replaced by JSON punctuation, NUL or 0xFF; or, for an operation without a body, random bytes in
    /// its path and query values. A damaged body may still be valid JSON, so these are not held to
    /// "nothing changed" — only to "never a 5xx, every refusal a problem".
    /// </summary>
    public static IEnumerable<FuzzCase> RandomlyDamaged(ApiOperation op, Random random, int count)
    {
        var body = op.JsonBody is null ? null : Encoding.UTF8.GetBytes(Example(op.JsonBody, 0).ToJsonString());
        byte[] noise = [(byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'"', (byte)',', (byte)':', (byte)'\\', (byte)'-', (byte)'e', (byte)'9', 0x00, 0xFF, 0xC3, 0x7F];
        for (var i = 0; i < count; i++)
        {
            if (body is not null)
            {
                var damaged = new List<byte>(body);
                for (var edits = random.Next(1, 4); edits > 0 && damaged.Count > 0; edits--)
                {
                    var at = random.Next(damaged.Count);
                    switch (random.Next(4))
                    {
                        case 0: damaged[at] = noise[random.Next(noise.Length)]; break;
                        case 1: damaged.RemoveAt(at); break;
                        case 2: damaged.Insert(at, noise[random.Next(noise.Length)]); break;
                        default: damaged.InsertRange(at, damaged.GetRange(at, Math.Min(damaged.Count - at, random.Next(1, 32)))); break;
                    }
                }
                yield return Case(op, $"body damaged at random #{i}", false, Path(op, null), [.. damaged], Json);
            }
            else
            {
                var bytes = new byte[random.Next(1, 40)];
                random.NextBytes(bytes);
                var raw = string.Concat(bytes.Select(b => $"%{b:X2}"));
                var parameter = op.Parameters.Count > 0 ? op.Parameters[random.Next(op.Parameters.Count)] : null;
                var url = parameter is { In: ParameterLocation.Path }
                    ? Path(op, (parameter.Name, raw))
                    : Path(op, null) + $"?{parameter?.Name ?? "q"}={raw}";
                yield return Case(op, $"random bytes in {parameter?.Name ?? "the query"} #{i}", false, url, (string?)null, null);
            }
        }
    }

    /// <summary>Values that are wrong for a member of this schema (as JSON text).</summary>
    private static IEnumerable<(string Flaw, string Json)> ValuesFor(JsonObject schema, bool required)
    {
        var type = SchemaKind.TypeOf(schema);
        var format = SchemaKind.FormatOf(schema);
        if (required && !SchemaKind.AllowsNull(schema))
        {
            yield return ("null where required", "null");
        }
        switch (type)
        {
            case "integer":
                yield return ("a string", "\"abc\"");
                yield return ("int max", "2147483647");
                yield return ("past int max", "2147483648");
                yield return ("past int min", "-2147483649");
                yield return ("past long max", "9223372036854775808");
                yield return ("1e400", "1e400");
                yield return ("a fraction", "1.5");
                yield return ("exponent form", "1e5");
                yield return ("NaN as text", "\"NaN\"");
                yield return ("Infinity as text", "\"Infinity\"");
                yield return ("negative", "-1");
                yield return ("an object", "{}");
                break;
            case "number":
                yield return ("a string", "\"abc\"");
                yield return ("decimal max", "79228162514264337593543950335");
                yield return ("past decimal max", "79228162514264337593543950336");
                yield return ("past decimal min", "-79228162514264337593543950336");
                yield return ("1e400", "1e400");
                yield return ("1e-400", "1e-400");
                yield return ("NaN as text", "\"NaN\"");
                yield return ("-Infinity as text", "\"-Infinity\"");
                yield return ("negative", "-1");
                yield return ("an array", "[1]");
                break;
            case "boolean":
                yield return ("a string", "\"yes\"");
                yield return ("a number", "2");
                break;
            case "string":
                yield return ("a number", "12345");
                yield return ("an object", "{\"a\":1}");
                yield return ("empty", "\"\"");
                yield return ("100,000 characters", $"\"{Long}\"");
                yield return ("NUL character", "\"a\\u0000b\"");
                yield return ("control character", "\"bell\\u0007\"");
                yield return ("lone surrogate", "\"x\\udc00\"");
                yield return ("whitespace only", "\"   \"");
                if (schema["enum"] is JsonArray)
                {
                    yield return ("unknown enum value", "\"NOT_A_VALUE\"");
                }
                if (format is "uuid")
                {
                    yield return ("not a uuid", "\"not-a-uuid\"");
                }
                if (format is "date-time" or "date")
                {
                    yield return ("not a date", "\"32/13/2026\"");
                }
                break;
            case "array":
                yield return ("an object", "{}");
                yield return ("a string", "\"x\"");
                var item = schema["items"] is JsonObject items ? Example(items, 0).ToJsonString() : "1";
                yield return ("20,000 items", "[" + string.Join(',', Enumerable.Repeat(item, 20_000)) + "]");
                yield return ("an array of nulls", "[null,null]");
                break;
            case "object":
                yield return ("an array", "[]");
                yield return ("a number", "1");
                break;
        }
    }

    /// <summary>Raw (already URL-encoded) values that are wrong for a path or query parameter; typed ones must be refused.</summary>
    private static IEnumerable<(string Flaw, string Raw, bool MustRefuse)> RawValuesFor(ApiParameter parameter)
    {
        var type = SchemaKind.TypeOf(parameter.Schema);
        var format = SchemaKind.FormatOf(parameter.Schema);
        var typed = type is "integer" or "number" || format is "uuid";
        if (typed)
        {
            yield return ("not a number or id", "abc", true);
            yield return ("past long max", "99999999999999999999", type is "integer" || format is "uuid");
            yield return ("past int min", "-2147483649", format is "uuid" || format is "int32");
            yield return ("exponent form", "1e5", type is "integer" || format is "uuid");
            yield return ("NaN", "NaN", true);
        }
        if (type is "integer" or "number")
        {
            yield return ("int max", "2147483647", false);
            yield return ("negative", "-1", false);
        }
        if (type is "boolean")
        {
            yield return ("not a boolean", "maybe", true);
        }
        yield return ("empty", "", false);
        yield return ("3,000 characters", new string('z', 3000), typed);
        yield return ("encoded NUL", "a%00b", typed);
        yield return ("encoded lone surrogate", "%ED%A0%80", typed);
        yield return ("invalid percent-encoding", "%zz", typed);
        yield return ("encoded slash and dots", "..%2F..%2Fetc", typed);
        yield return ("control characters", "%07%1B", typed);
    }

    /// <summary>Member values a service may legally accept (so they are sent, but not held to "nothing changed").</summary>
    private static readonly HashSet<string> EdgeValues = ["int max", "negative", "decimal max", "1e-400", "empty", "whitespace only"];

    /// <summary>A value shaped as the schema says, for the members that are not being broken.</summary>
    public static JsonNode Example(JsonObject schema, int depth)
    {
        if (schema["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]!.DeepClone();
        }
        return SchemaKind.TypeOf(schema) switch
        {
            "object" when depth < 4 => new JsonObject(SchemaKind.Properties(schema)
                .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Example(p.Value, depth + 1)))),
            "array" when depth < 4 => new JsonArray(schema["items"] is JsonObject items ? Example(items, depth + 1) : JsonValue.Create(1)),
            "integer" => JsonValue.Create(1),
            "number" => JsonValue.Create(1.5m),
            "boolean" => JsonValue.Create(true),
            "string" => SchemaKind.FormatOf(schema) switch
            {
                "uuid" => JsonValue.Create("9f1c1d0e-8a5b-4c41-9d0e-0000f0220001"),
                "date-time" => JsonValue.Create("2026-12-07T00:00:00Z"),
                "date" => JsonValue.Create("2026-12-07"),
                "email" => JsonValue.Create("fuzz@marketplace.test"),
                _ => JsonValue.Create("fuzz"),
            },
            _ => new JsonObject(),
        };
    }

    /// <summary>The example body with the member at <paramref name="path"/> (<c>a.b[0].c</c>) replaced by raw JSON.</summary>
    private static string Replace(JsonNode body, string path, string json)
    {
        const string Marker = "\"__fuzz_marker__\"";
        var copy = body.DeepClone();
        JsonNode? parent = copy;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var index = part.EndsWith("[0]", StringComparison.Ordinal);
            var name = index ? part[..^3] : part;
            if (i == parts.Length - 1)
            {
                parent![name] = JsonNode.Parse(Marker);
                break;
            }
            parent = index ? parent![name]?[0] : parent![name];
            if (parent is null)
            {
                return copy.ToJsonString();
            }
        }
        return copy.ToJsonString().Replace(Marker, json, StringComparison.Ordinal);
    }

    /// <summary>The operation's path with example values, or one parameter given <paramref name="broken"/>'s raw value.</summary>
    private static string Path(ApiOperation op, (string Name, string Raw)? broken)
    {
        var path = op.Path;
        foreach (var parameter in op.Parameters.Where(p => p.In == ParameterLocation.Path))
        {
            var value = broken is { } b && b.Name == parameter.Name
                ? b.Raw
                : Uri.EscapeDataString(Example(parameter.Schema, 0) is JsonValue v ? v.ToString() : "fuzz");
            path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal)
                .Replace("{" + parameter.Name + ":", "{", StringComparison.Ordinal);
        }
        return path;
    }

    private static FuzzCase Case(ApiOperation op, string flaw, bool mustRefuse, string url, string? body, string? contentType, Action<HttpRequestMessage>? configure = null) =>
        Case(op, flaw, mustRefuse, url, body is null ? null : Encoding.UTF8.GetBytes(body), contentType, configure);

    private static FuzzCase Case(ApiOperation op, string flaw, bool mustRefuse, string url, byte[]? body, string? contentType, Action<HttpRequestMessage>? configure = null) =>
        new(op, flaw, mustRefuse, () =>
        {
            var request = new HttpRequestMessage(new HttpMethod(op.Method), url);
            if (body is not null && op.Method is not ("GET" or "HEAD"))
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }
            // Every operation that takes an Idempotency-Key gets a fresh one unless the flaw is in that header.
            if (op.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name == "Idempotency-Key") && !flaw.StartsWith("header Idempotency-Key", StringComparison.Ordinal))
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
            }
            // A client sending a body this large asks first (as curl does), so a refusal does not race the upload.
            if (body is { Length: > 1024 * 1024 })
            {
                request.Headers.ExpectContinue = true;
            }
            configure?.Invoke(request);
            return request;
        });
}
