using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Shared.Data;

public static class JsonbMap
{
    /// <summary>
    /// Stores a string-to-flag map (e.g. e-mail preferences per notification kind) as one jsonb value, compared by its
    /// entries so a changed flag is saved and an unchanged map is not.
    /// </summary>
    public static PropertyBuilder<Dictionary<string, bool>> IsJsonbMap(this PropertyBuilder<Dictionary<string, bool>> property) =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
            v => JsonSerializer.Deserialize<Dictionary<string, bool>>(v, (JsonSerializerOptions?)null) ?? new Dictionary<string, bool>(),
            new ValueComparer<Dictionary<string, bool>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                v => v.Aggregate(0, (h, kv) => h ^ HashCode.Combine(kv.Key, kv.Value)),
                v => new Dictionary<string, bool>(v)));
}
