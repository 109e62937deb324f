using Elastic.Clients.Elasticsearch;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Search.Index;

public static class SearchIndexRegistration
{
    /// <summary>Registers the adapter named by <c>SearchIndex:Provider</c>: <c>lucene</c> (default) or <c>elasticsearch</c>.</summary>
    public static IHostApplicationBuilder AddSearchIndex(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration["SearchIndex:Provider"] ?? "lucene";
        switch (provider.ToLowerInvariant())
        {
            case "lucene":
                var path = builder.Configuration["SearchIndex:Path"] ?? Path.Combine(AppContext.BaseDirectory, "search-index");
                // One directory per index schema: after a change of fields a new, empty index is filled from the catalogue.
                builder.Services.AddSingleton<ISearchIndex>(_ => new LuceneSearchIndex(Path.Combine(path, $"v{LuceneSearchIndex.SchemaVersion}")));
                break;
            case "elasticsearch":
                var connectionString = builder.Configuration.GetConnectionString("elasticsearch")
                    ?? throw new InvalidOperationException("SearchIndex:Provider is 'elasticsearch' but connection string 'elasticsearch' is missing.");
                builder.Services.AddSingleton(new ElasticsearchClient(new ElasticsearchClientSettings(new Uri(connectionString))));
                builder.Services.AddSingleton<ISearchIndex, ElasticsearchSearchIndex>();
                builder.Services.AddHostedService<ElasticsearchIndexCreator>();
                break;
            default:
                throw new InvalidOperationException($"Unknown SearchIndex:Provider '{provider}': use 'lucene' or 'elasticsearch'.");
        }
        builder.Services.AddHealthChecks().AddCheck<SearchIndexHealthCheck>("search-index");
        return builder;
    }
}

/// <summary>Healthy when the index answers a count.</summary>
internal sealed class SearchIndexHealthCheck(ISearchIndex index) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var count = await index.CountAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{count} documents");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
