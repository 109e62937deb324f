using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.QueryDsl;

namespace Marketplace.Search.Index;

/// <summary>Elasticsearch (containers mode). Versions use the product version as an external version.</summary>
public sealed class ElasticsearchSearchIndex(ElasticsearchClient client) : ISearchIndex
{
    /// <summary>Versioned with the document shape: after a change, a new, empty index is filled from the catalogue.</summary>
    public const string IndexName = "products-v2";

    public async Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct)
    {
        var response = await client.IndexAsync(document, i => i
            .Index(IndexName)
            .Id(document.ProductId.ToString("N"))
            .Version(document.Version)
            .VersionType(VersionType.External), ct);
        if (response.IsValidResponse)
        {
            return true;
        }
        // 409: the index already holds this or a newer version, which is what version ordering wants.
        if (response.ApiCallDetails.HttpStatusCode == 409)
        {
            return false;
        }
        throw new InvalidOperationException($"Elasticsearch index failed: {response.DebugInformation}");
    }

    public static SearchRequest<SearchDocument> BuildRequest(SearchRequest request) => new(IndexName)
    {
        From = (request.Page - 1) * request.PageSize,
        Size = request.PageSize,
        TrackTotalHits = new Elastic.Clients.Elasticsearch.Core.Search.TrackHits(true),
        Query = new BoolQuery
        {
            Must = [string.IsNullOrWhiteSpace(request.Query)
                ? new MatchAllQuery()
                : new MultiMatchQuery
                {
                    Query = request.Query,
                    Fields = new[] { "title^4", "brand^2", "category^1.5", "description" },
                    Operator = Operator.And,
                    // The last word as a prefix too (the shopper may still be typing), as in the Lucene adapter.
                    Type = TextQueryType.BoolPrefix,
                    // The same tolerance as the Lucene adapter: 0 edits up to 3 letters, 1 up to 5, then 2.
                    Fuzziness = new Fuzziness("AUTO:4,6"),
                    PrefixLength = 1,
                }],
            Filter = Filters(request),
            // Tombstones keep removed products' versions but never match a search.
            MustNot = [new TermQuery { Field = "deleted", Value = true }],
        },
        Highlight = string.IsNullOrWhiteSpace(request.Query) ? null : new Elastic.Clients.Elasticsearch.Core.Search.Highlight
        {
            Fields = new Dictionary<Field, Elastic.Clients.Elasticsearch.Core.Search.HighlightField>
            {
                [new Field("title")] = new() { NumberOfFragments = 1, FragmentSize = 120 },
                [new Field("description")] = new() { NumberOfFragments = 1, FragmentSize = 120 },
            },
            PreTags = ["<mark>"],
            PostTags = ["</mark>"],
            // The text around the marks is HTML-encoded, as in the Lucene adapter.
            Encoder = Elastic.Clients.Elasticsearch.Core.Search.HighlighterEncoder.Html,
        },
        Aggregations = new Dictionary<string, Elastic.Clients.Elasticsearch.Aggregations.Aggregation>
        {
            ["categories"] = new Elastic.Clients.Elasticsearch.Aggregations.TermsAggregation { Field = "categoryTree.keyword", Size = 20 },
            ["brands"] = new Elastic.Clients.Elasticsearch.Aggregations.TermsAggregation { Field = "brand.keyword", Size = 20 },
            ["prices"] = new Elastic.Clients.Elasticsearch.Aggregations.RangeAggregation
            {
                Field = "price",
                Ranges = [.. Enumerable.Range(0, Facets.PriceBounds.Length + 1).Select(i => new Elastic.Clients.Elasticsearch.Aggregations.AggregationRange
                {
                    From = i == 0 ? null : (double)Facets.PriceBounds[i - 1],
                    To = i < Facets.PriceBounds.Length ? (double)Facets.PriceBounds[i] : null,
                })],
            },
        },
        Sort = request.Sort switch
        {
            SearchSort.PriceAscending => [new FieldSort { Field = "price", Order = SortOrder.Asc }, new SortOptions { Score = new ScoreSort() }],
            SearchSort.PriceDescending => [new FieldSort { Field = "price", Order = SortOrder.Desc }, new SortOptions { Score = new ScoreSort() }],
            SearchSort.Newest => [new FieldSort { Field = "updatedAt", Order = SortOrder.Desc }, new SortOptions { Score = new ScoreSort() }],
            _ => null,
        },
    };

    /// <summary>The same filters as the Lucene adapter, on the keyword sub-fields dynamic mapping creates.</summary>
    private static ICollection<Query> Filters(SearchRequest request)
    {
        var filters = new List<Query>();
        if (!string.IsNullOrWhiteSpace(request.Category) && CategoryPaths.AndAncestors(request.Category) is { Count: > 0 } tree)
        {
            // Every document lists its category and the ancestors (categoryTree): one term matches a whole subtree.
            filters.Add(new TermQuery { Field = "categoryTree.keyword", Value = tree[^1] });
        }
        if (!string.IsNullOrWhiteSpace(request.Brand))
        {
            filters.Add(new TermQuery { Field = "brand.keyword", Value = request.Brand.Trim() });
        }
        if (request.MinPrice is not null || request.MaxPrice is not null)
        {
            filters.Add(new NumberRangeQuery { Field = "price", Gte = (double?)request.MinPrice, Lte = (double?)request.MaxPrice });
        }
        return filters;
    }

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        var response = await client.SearchAsync<SearchDocument>(BuildRequest(request), ct);
        if (!response.IsValidResponse)
        {
            throw new InvalidOperationException($"Elasticsearch search failed: {response.DebugInformation}");
        }
        var hits = response.Hits
            .Where(h => h.Source is not null)
            .Select(h => new SearchHit(h.Source!.ProductId, h.Source.Title, h.Source.Brand, h.Source.Category, h.Source.Price, h.Source.Currency, h.Score ?? 0,
                h.Highlight?.Where(f => f.Value.Count > 0).ToDictionary(f => f.Key, f => f.Value.First())))
            .ToList();
        return new SearchResult(hits, response.Total, request.Page, request.PageSize, ReadFacets(response));
    }

    /// <summary>Titles completing the words typed so far: all but the last word as typed, the last as a prefix.</summary>
    public static SearchRequest<SearchDocument> BuildSuggestRequest(string prefix, int limit) => new(IndexName)
    {
        Size = limit * 4,
        Source = new Elastic.Clients.Elasticsearch.Core.Search.SourceConfig(new Elastic.Clients.Elasticsearch.Core.Search.SourceFilter { Includes = new[] { "title" } }),
        Query = new BoolQuery
        {
            Must = [new MatchPhrasePrefixQuery { Field = "title", Query = prefix }],
            MustNot = [new TermQuery { Field = "deleted", Value = true }],
        },
    };

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        var response = await client.SearchAsync<SearchDocument>(BuildSuggestRequest(prefix, limit), ct);
        if (!response.IsValidResponse)
        {
            throw new InvalidOperationException($"Elasticsearch suggest failed: {response.DebugInformation}");
        }
        return response.Hits.Where(h => h.Source is not null).Select(h => h.Source!.Title).Distinct(StringComparer.OrdinalIgnoreCase).Take(limit).ToList();
    }

    private static Facets ReadFacets(SearchResponse<SearchDocument> response)
    {
        static IReadOnlyList<FacetValue> Terms(Elastic.Clients.Elasticsearch.Aggregations.StringTermsAggregate? terms) =>
            terms is null ? [] : [.. terms.Buckets.Select(b => new FacetValue(b.Key.ToString() ?? "", b.DocCount))];
        var prices = new long[Facets.PriceBounds.Length + 1];
        var ranges = response.Aggregations?.GetRange("prices")?.Buckets ?? [];
        var i = 0;
        foreach (var bucket in ranges)
        {
            prices[i++] = bucket.DocCount;
        }
        return new Facets(Terms(response.Aggregations?.GetStringTerms("categories")), Terms(response.Aggregations?.GetStringTerms("brands")), Facets.Ranges(prices));
    }

    public async Task<long> CountAsync(CancellationToken ct)
    {
        var response = await client.CountAsync<SearchDocument>(c => c.Indices(IndexName).Query(q => q.Bool(b => b.MustNot(m => m.Term(t => t.Field("deleted").Value(true))))), ct);
        return response.IsValidResponse ? response.Count : 0;
    }
}

/// <summary>
/// The index's mapping, explicit rather than guessed from the first document: text fields for
/// matching with keyword sub-fields for filters and facets, a real number for prices, a date for sorting.
/// </summary>
public static class ElasticsearchMapping
{
    public static Elastic.Clients.Elasticsearch.IndexManagement.CreateIndexRequest CreateIndexRequest() => new(ElasticsearchSearchIndex.IndexName)
    {
        Mappings = new Elastic.Clients.Elasticsearch.Mapping.TypeMapping
        {
            Properties = new Elastic.Clients.Elasticsearch.Mapping.Properties
            {
                { "productId", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "merchantId", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "version", new Elastic.Clients.Elasticsearch.Mapping.LongNumberProperty() },
                { "title", TextWithKeyword() },
                { "description", new Elastic.Clients.Elasticsearch.Mapping.TextProperty() },
                { "brand", TextWithKeyword() },
                { "category", TextWithKeyword() },
                { "categoryTree", TextWithKeyword() },
                { "price", new Elastic.Clients.Elasticsearch.Mapping.ScaledFloatNumberProperty { ScalingFactor = 100 } },
                { "currency", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "deleted", new Elastic.Clients.Elasticsearch.Mapping.BooleanProperty() },
                { "updatedAt", new Elastic.Clients.Elasticsearch.Mapping.DateProperty() },
            },
        },
    };

    private static Elastic.Clients.Elasticsearch.Mapping.TextProperty TextWithKeyword() => new()
    {
        Fields = new Elastic.Clients.Elasticsearch.Mapping.Properties { { "keyword", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty { IgnoreAbove = 512 } } },
    };
}

/// <summary>Creates the index with its mapping at start if it does not exist yet.</summary>
internal sealed class ElasticsearchIndexCreator(ElasticsearchClient client, ILogger<ElasticsearchIndexCreator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var exists = await client.Indices.ExistsAsync(ElasticsearchSearchIndex.IndexName, cancellationToken);
        if (exists.Exists)
        {
            return;
        }
        var created = await client.Indices.CreateAsync(ElasticsearchMapping.CreateIndexRequest(), cancellationToken);
        // 400 resource_already_exists: another replica created it first, which is as good.
        if (!created.IsValidResponse && created.ApiCallDetails.HttpStatusCode != 400)
        {
            throw new InvalidOperationException($"Creating the Elasticsearch index failed: {created.DebugInformation}");
        }
        logger.LogInformation("Elasticsearch index {Index} ready", ElasticsearchSearchIndex.IndexName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
