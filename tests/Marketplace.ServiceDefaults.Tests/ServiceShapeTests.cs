using System.Text.RegularExpressions;
using Marketplace.Testing;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>
/// The one shape of every service, read from the source: a folder's code may use the folders below it, and no chain
/// of uses leads back to where it started (Api → Application → Domain, Data and adapters → Domain, never back).
/// </summary>
public sealed partial class ServiceShapeTests
{
    private static readonly string ServicesRoot = Path.Combine(RepositoryRoot.Path, "services");

    /// <summary>Every service: a folder of services/ with its project in it (Shared and the contracts are libraries).</summary>
    public static TheoryData<string> Services() =>
        [.. Directory.GetDirectories(ServicesRoot)
            .Where(d => Directory.GetFiles(d, "Marketplace.*.csproj").Length > 0)
            .Select(Path.GetFileName).OfType<string>()
            .Where(s => s is not ("Shared" or "Catalog.Contracts"))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Services))]
    public void No_folder_of_a_service_is_reached_again_by_what_it_uses(string service)
    {
        var uses = FolderUses(service);

        var cycles = uses.Keys.Select(start => CycleFrom(start, uses)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, $"{service}: folder cycles {string.Join("; ", cycles)}");
    }

    [Fact]
    public void The_check_finds_a_cycle_when_there_is_one()
    {
        var uses = new Dictionary<string, HashSet<string>> { ["Api"] = ["Domain"], ["Domain"] = ["Data"], ["Data"] = ["Api"] };

        Assert.Equal("Api → Domain → Data → Api", CycleFrom("Api", uses));
        Assert.Null(CycleFrom("Api", new Dictionary<string, HashSet<string>> { ["Api"] = ["Domain"], ["Data"] = ["Domain"] }));
    }

    [Fact]
    public void The_source_is_read_as_it_is()
    {
        // The check above passes on folders that use nothing: make sure the reading finds uses that are there.
        var ordering = FolderUses("Ordering");

        Assert.Contains("Domain", ordering["Api"]);
        Assert.Contains("Application", ordering["Saga"]);
        Assert.DoesNotContain("Api", ordering["Saga"]);
        Assert.Equal(["Catalog", "Gateway", "Identity", "Inventory", "Notification", "Ordering", "Payment", "Search", "Users"],
            Services().Select(row => row.Data));
    }

    /// <summary>Which folders each top folder's code names (by <c>using</c> or a qualified name).</summary>
    private static Dictionary<string, HashSet<string>> FolderUses(string service)
    {
        var root = Path.Combine(ServicesRoot, service);
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj")).ToHashSet(StringComparer.Ordinal);
        var reference = new Regex($@"\bMarketplace\.{Regex.Escape(service)}\.(\w+)\b");
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var used = uses[folder] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                foreach (Match m in reference.Matches(File.ReadAllText(file)))
                {
                    if (m.Groups[1].Value != folder && folders.Contains(m.Groups[1].Value))
                    {
                        used.Add(m.Groups[1].Value);
                    }
                }
            }
        }
        return uses;
    }

    /// <summary>A chain of uses from <paramref name="start"/> back to itself, or null.</summary>
    private static string? CycleFrom(string start, IReadOnlyDictionary<string, HashSet<string>> uses)
    {
        var path = new List<string> { start };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Walk(start);

        string? Walk(string at)
        {
            foreach (var next in uses.GetValueOrDefault(at) ?? [])
            {
                if (next == start)
                {
                    return string.Join(" → ", path.Append(start));
                }
                if (seen.Add(next))
                {
                    path.Add(next);
                    if (Walk(next) is { } found)
                    {
                        return found;
                    }
                    path.RemoveAt(path.Count - 1);
                }
            }
            return null;
        }
    }
}
