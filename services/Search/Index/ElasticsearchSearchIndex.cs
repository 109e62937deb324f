using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.QueryDsl;

namespace Marketplace.Search.Index;

/// <summary>Elasticsearch (containers mode). Versions use the product version as an external version.</summary>
public sealed class ElasticsearchSearchIndex(ElasticsearchClient client) : ISearchIndex
{
    /// <summary>Versioned with the document shape: after a change, a new, empty index is filled from the catalogue.</summary>
    public const string IndexName = "products-v3";

    /// <summary>One document per SKU with its stock, versioned externally by the SKU's stock version.</summary>
    public const string StockIndexName = "stock-v1";

    public async Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct)
    {
        document = document with { InStock = !document.Deleted && await AnyInStockAsync(document.SkuList, ct) };
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

    public async Task<bool> ApplyStockAsync(StockDocument stock, CancellationToken ct)
    {
        var response = await client.IndexAsync(BuildStockRequest(stock), ct);
        if (!response.IsValidResponse)
        {
            if (response.ApiCallDetails.HttpStatusCode == 409)
            {
                return false; // this SKU's stock is already at this or a newer version
            }
            throw new InvalidOperationException($"Elasticsearch stock index failed: {response.DebugInformation}");
        }
        if (stock.ProductId is { } productId)
        {
            var product = await client.GetAsync<SearchDocument>(IndexName, productId.ToString("N"), ct);
            if (product.Found && product.Source is { Deleted: false } doc)
            {
                var inStock = await AnyInStockAsync(doc.SkuList, ct);
                if (inStock != doc.InStock)
                {
                    // A partial update: the product's version (its catalogue version) stays as it is.
                    await client.UpdateAsync<SearchDocument, object>(IndexName, productId.ToString("N"), u => u.Doc(new { inStock }), ct);
                }
            }
        }
        return true;
    }

    public static IndexRequest<StockDocument> BuildStockRequest(StockDocument stock) =>
        new(stock, StockIndexName, stock.Sku) { Version = stock.Version, VersionType = VersionType.External };

    private async Task<bool> AnyInStockAsync(IReadOnlyList<string> skus, CancellationToken ct)
    {
        if (skus.Count == 0)
        {
            return false;
        }
        var found = await client.SearchAsync<StockDocument>(BuildInStockRequest(skus), ct);
        return found.IsValidResponse && found.Total > 0;
    }

    /// <summary>Whether any of these SKUs has units available: a count of matching stock documents.</summary>
    public static SearchRequest<StockDocument> BuildInStockRequest(IReadOnlyList<string> skus) => new(StockIndexName)
    {
        Size = 0,
        Query = new BoolQuery
        {
            Filter =
            [
                new TermsQuery { Field = "sku", Terms = new TermsQueryField([.. skus.Select(s => (FieldValue)s)]) },
                new NumberRangeQuery { Field = "available", Gt = 0 },
            ],
        },
    };

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
            ["inStock"] = new Elastic.Clients.Elasticsearch.Aggregations.Aggregation { Filter = new TermQuery { Field = "inStock", Value = true } },
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
        if (request.InStockOnly)
        {
            filters.Add(new TermQuery { Field = "inStock", Value = true });
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
                h.Highlight?.Where(f => f.Value.Count > 0).ToDictionary(f => f.Key, f => f.Value.First()), h.Source.InStock))
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
        return new Facets(Terms(response.Aggregations?.GetStringTerms("categories")), Terms(response.Aggregations?.GetStringTerms("brands")), Facets.Ranges(prices),
            response.Aggregations?.GetFilter("inStock")?.DocCount ?? 0);
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
                { "skus", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "inStock", new Elastic.Clients.Elasticsearch.Mapping.BooleanProperty() },
            },
        },
    };

    public static Elastic.Clients.Elasticsearch.IndexManagement.CreateIndexRequest CreateStockIndexRequest() => new(ElasticsearchSearchIndex.StockIndexName)
    {
        Mappings = new Elastic.Clients.Elasticsearch.Mapping.TypeMapping
        {
            Properties = new Elastic.Clients.Elasticsearch.Mapping.Properties
            {
                { "sku", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "productId", new Elastic.Clients.Elasticsearch.Mapping.KeywordProperty() },
                { "available", new Elastic.Clients.Elasticsearch.Mapping.IntegerNumberProperty() },
                { "version", new Elastic.Clients.Elasticsearch.Mapping.LongNumberProperty() },
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
        await CreateAsync(ElasticsearchMapping.CreateIndexRequest(), cancellationToken);
        await CreateAsync(ElasticsearchMapping.CreateStockIndexRequest(), cancellationToken);
    }

    private async Task CreateAsync(Elastic.Clients.Elasticsearch.IndexManagement.CreateIndexRequest request, CancellationToken ct)
    {
        var name = request.Index.ToString();
        var exists = await client.Indices.ExistsAsync(name, ct);
        if (exists.Exists)
        {
            return;
        }
        var created = await client.Indices.CreateAsync(request, ct);
        // 400 resource_already_exists: another replica created it first, which is as good.
        if (!created.IsValidResponse && created.ApiCallDetails.HttpStatusCode != 400)
        {
            throw new InvalidOperationException($"Creating the Elasticsearch index {name} failed: {created.DebugInformation}");
        }
        logger.LogInformation("Elasticsearch index {Index} ready", name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
