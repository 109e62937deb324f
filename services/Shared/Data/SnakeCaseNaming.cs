using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Shared.Data;

/// <summary>
/// Our databases name columns in snake_case: a property <c>CaptureAtOnce</c> is the column <c>capture_at_once</c>,
/// by this convention instead of a <c>HasColumnName</c> per property. A name given where a property is mapped
/// still wins (a column whose name says more than its property, such as <c>from_status</c>), and owned types keep
/// the names they are given where they are declared (their columns carry a prefix of their own, such as <c>ship_</c>).
/// Each service's tests check that the model still matches its migrations (<c>MigrationsMatchTests</c>).
/// </summary>
public static class SnakeCaseNaming
{
    /// <summary>Call last in <c>OnModelCreating</c>: names every column not named where it was mapped.</summary>
    public static ModelBuilder UseSnakeCaseColumns(this ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => !e.IsOwned()))
        {
            NameUnnamedColumns(entity);
        }
        return modelBuilder;
    }

    /// <summary>
    /// Names this entity's columns now (call at the end of its configuration): for tables a shared module adds to every
    /// service's model (the outbox and inbox), so they are snake_case also in a model that keeps EF's own names.
    /// </summary>
    public static EntityTypeBuilder<T> HasSnakeCaseColumns<T>(this EntityTypeBuilder<T> entity) where T : class
    {
        NameUnnamedColumns(entity.Metadata);
        return entity;
    }

    private static void NameUnnamedColumns(IMutableEntityType entity)
    {
        foreach (var property in entity.GetDeclaredProperties().Where(p => p.FindAnnotation(RelationalAnnotationNames.ColumnName) is null))
        {
            property.SetColumnName(ToSnakeCase(property.Name));
        }
    }

    /// <summary><c>CaptureAtOnce</c> → <c>capture_at_once</c>, <c>HTMLBody</c> → <c>html_body</c>, <c>Line1</c> → <c>line1</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var startsWord = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (startsWord)
                {
                    result.Append('_');
                }
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }
}
