using System.Globalization;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Caching.Memory;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Marketplace.Search.Index;

/// <summary>
/// Lucene.Net on the Search service's disk. One writer per process (Lucene's write lock), near-real-time
/// readers refreshed after each write so a change is searchable at once. Writes are durable before
/// <see cref="UpsertAsync"/> returns (so a message is acknowledged only once its change is on disk),
/// but they share commits: every writer waiting at a moment is covered by one commit (group commit),
/// instead of paying an fsync each.
/// </summary>
public sealed class LuceneSearchIndex : ISearchIndex, IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Grows whenever the indexed fields change; documents written under an older schema are never reused.</summary>
    public const int SchemaVersion = 3;
    private static readonly Dictionary<string, float> Boosts = new() { ["title"] = 4f, ["brand"] = 2f, ["category"] = 1.5f, ["description"] = 1f };

    private readonly LuceneDirectory _directory;
    private readonly StandardAnalyzer _analyzer = new(Version);
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    /// <summary>
    /// The version of every product this process wrote, so the version check needs no reader reopened
    /// after each write; products it has not written are looked up in the index (as it was at start or since).
    /// </summary>
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    /// <summary>
    /// Stock as last announced per SKU, each product's SKUs, and whether each product counts as in stock:
    /// loaded from the index at open (stock is kept there as documents of its own), changed under the write lock.
    /// </summary>
    private readonly Dictionary<string, StockDocument> _stock = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _skusOfProduct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _productOfSku = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _inStock = new(StringComparer.Ordinal);
    /// <summary>Completes when the writes made so far are committed; replaced by each commit.</summary>
    private TaskCompletionSource _nextCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LuceneSearchIndex(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { OpenMode = OpenMode.CREATE_OR_APPEND });
        _writer.Commit();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
        LoadStockState();
    }

    private void LoadStockState()
    {
        WithSearcher(fresh: true, searcher =>
        {
            var reader = searcher.IndexReader;
            var live = MultiFields.GetLiveDocs(reader);
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                if (live is not null && !live.Get(doc))
                {
                    continue;
                }
                var stored = reader.Document(doc);
                if (stored.Get("stock_sku") is { } sku)
                {
                    _stock[sku] = new StockDocument(sku, Guid.TryParseExact(stored.Get("stock_product"), "N", out var p) ? p : null,
                        stored.GetField("stock_available").GetInt32Value() ?? 0, stored.GetField("stock_version").GetInt64Value() ?? 0);
                }
                else if (stored.Get("id") is { } id && stored.GetValues("sku") is { Length: > 0 } skus)
                {
                    RememberSkus(id, skus);
                }
            }
            foreach (var id in _skusOfProduct.Keys)
            {
                _inStock[id] = HasStock(id);
            }
            return 0;
        });
    }

    private void RememberSkus(string productId, string[] skus)
    {
        if (_skusOfProduct.TryGetValue(productId, out var old))
        {
            foreach (var sku in old)
            {
                _productOfSku.Remove(sku);
            }
        }
        _skusOfProduct[productId] = skus;
        foreach (var sku in skus)
        {
            _productOfSku[sku] = productId;
        }
    }

    private bool HasStock(string productId) =>
        _skusOfProduct.TryGetValue(productId, out var skus) && skus.Any(sku => _stock.TryGetValue(sku, out var s) && s.Available > 0);

    public async Task<bool> ApplyStockAsync(StockDocument stock, CancellationToken ct)
    {
        Task committed;
        bool applied;
        await _writeLock.WaitAsync(ct);
        try
        {
            applied = !_stock.TryGetValue(stock.Sku, out var held) || held.Version < stock.Version;
            if (applied)
            {
                _writer.UpdateDocument(new Term("stock_sku", stock.Sku),
                [
                    new StringField("kind", "stock", Field.Store.NO),
                    new StringField("stock_sku", stock.Sku, Field.Store.YES),
                    new StoredField("stock_product", stock.ProductId?.ToString("N") ?? ""),
                    new StoredField("stock_available", stock.Available),
                    new StoredField("stock_version", stock.Version),
                ]);
                _stock[stock.Sku] = stock;
                var product = _productOfSku.GetValueOrDefault(stock.Sku) ?? stock.ProductId?.ToString("N");
                if (product is not null && _skusOfProduct.ContainsKey(product))
                {
                    var inStock = HasStock(product);
                    if (_inStock.GetValueOrDefault(product) != inStock)
                    {
                        // Only the doc value changes: the product's document is not rewritten.
                        _writer.UpdateNumericDocValue(new Term("id", product), InStockField, inStock ? 1 : 0);
                        _inStock[product] = inStock;
                    }
                }
            }
            committed = _nextCommit.Task;
        }
        finally
        {
            _writeLock.Release();
        }
        await CommitAsync(committed, ct);
        return applied;
    }

    public const string InStockField = "in_stock";

    public async Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct)
    {
        Task committed;
        bool applied;
        await _writeLock.WaitAsync(ct);
        try
        {
            var id = document.ProductId.ToString("N");
            var current = _versions.TryGetValue(id, out var written) ? written : IndexedVersion(id);
            applied = current is not { } held || held < document.Version;
            if (applied)
            {
                RememberSkus(id, [.. document.SkuList]);
                var inStock = !document.Deleted && HasStock(id);
                _inStock[id] = inStock;
                _writer.UpdateDocument(new Term("id", id), ToLucene(id, document with { InStock = inStock }));
                _versions[id] = document.Version;
            }
            // Skipped or not, the answer waits for the commit: the newer version we hold may still be
            // only in the writer's buffer (e.g. this is the redelivery of a write whose commit failed).
            committed = _nextCommit.Task;
        }
        finally
        {
            _writeLock.Release();
        }
        await CommitAsync(committed, ct);
        return applied;
    }

    /// <summary>
    /// Waits until <paramref name="committed"/> completes: the first writer to get the commit lock commits
    /// everything written so far, which completes its own wait and that of every writer before it.
    /// </summary>
    private async Task CommitAsync(Task committed, CancellationToken ct)
    {
        while (!committed.IsCompleted)
        {
            await _commitLock.WaitAsync(ct);
            try
            {
                if (committed.IsCompleted)
                {
                    break;
                }
                TaskCompletionSource covered;
                await _writeLock.WaitAsync(ct);
                try
                {
                    covered = _nextCommit;
                    _nextCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                finally
                {
                    _writeLock.Release();
                }
                try
                {
                    // Everything written before the swap is in the writer's buffer; this makes it durable.
                    _writer.Commit();
                    covered.SetResult();
                }
                catch (Exception e)
                {
                    covered.SetException(e);
                    throw;
                }
            }
            finally
            {
                _commitLock.Release();
            }
        }
        await committed;
    }

    /// <summary>
    /// Answers of this index as it is now, by request: the same search against the same reader (version) is
    /// answered from memory; any write makes a new reader version, so nothing stale is ever served.
    /// </summary>
    private readonly MemoryCache _answers = new(new MemoryCacheOptions { SizeLimit = 2000 });

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct) =>
        WithSearcher(fresh: true, searcher =>
        {
            if (request.Fresh)
            {
                return Task.FromResult(Search(searcher, request));
            }
            var key = (((DirectoryReader)searcher.IndexReader).Version, request);
            if (!_answers.TryGetValue(key, out SearchResult? answer))
            {
                answer = Search(searcher, request);
                _answers.Set(key, answer, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(2) });
            }
            return Task.FromResult(answer!);
        });

    private SearchResult Search(IndexSearcher searcher, SearchRequest request)
    {
        // Rewritten once (fuzzy and prefix terms expanded against this reader): the search and the
        // highlighter share the expansion instead of each paying for it.
        var words = searcher.Rewrite(BuildQuery(request.Query));
        var query = Live(Filtered(words, request));
        var n = request.Page * request.PageSize;
        ITopDocsCollector hitsCollector = request.Sort == SearchSort.Relevance
            ? TopScoreDocCollector.Create(n, docsScoredInOrder: false)
            : TopFieldCollector.Create(SortFor(request.Sort), n, fillFields: true, trackDocScores: true, trackMaxScore: false, docsScoredInOrder: false);
        var facets = new FacetCounter();
        searcher.Search(query, MultiCollector.Wrap((ICollector)hitsCollector, facets));
        var top = hitsCollector.GetTopDocs();
        var highlighter = string.IsNullOrWhiteSpace(request.Query) ? null : Highlighter(words);
        var inStock = MultiDocValues.GetNumericValues(searcher.IndexReader, InStockField);
        var hits = top.ScoreDocs.Skip((request.Page - 1) * request.PageSize).Select(sd =>
        {
            var doc = searcher.Doc(sd.Doc);
            return new SearchHit(
                Guid.ParseExact(doc.Get("id"), "N"), doc.Get("title"), doc.Get("brand"), doc.Get("category"),
                decimal.Parse(doc.Get("price"), CultureInfo.InvariantCulture), doc.Get("currency"), sd.Score,
                highlighter is null ? null : Highlight(highlighter, doc), inStock?.Get(sd.Doc) == 1);
        }).ToList();
        return new SearchResult(hits, top.TotalHits, request.Page, request.PageSize, facets.ToFacets());
    }

    public Task<long> CountAsync(CancellationToken ct) =>
        Task.FromResult(WithSearcher(fresh: true, searcher => (long)searcher.Search(Live(new MatchAllDocsQuery()), 1).TotalHits));

    /// <summary>
    /// Every word must match some field (AND), exactly or within its typo tolerance, the last one also
    /// as a prefix (the shopper may still be typing). Title matches weigh most, then brand, category,
    /// description; an exact match weighs more than a fuzzy one.
    /// </summary>
    private Query BuildQuery(string? text)
    {
        var terms = Analyze(text);
        if (terms.Count == 0)
        {
            return new MatchAllDocsQuery();
        }
        var query = new BooleanQuery();
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            var anyField = new BooleanQuery();
            foreach (var (field, boost) in Boosts)
            {
                anyField.Add(new TermQuery(new Term(field, term)) { Boost = boost * 2 }, Occur.SHOULD);
                // Typos are forgiven in the short fields people search by; the description (the largest
                // vocabulary, and the costliest to expand) must match exactly or as a prefix.
                if (field != "description" && TypoTolerance.MaxEdits(term) is > 0 and var edits)
                {
                    anyField.Add(new FuzzyQuery(new Term(field, term), edits, prefixLength: 1) { Boost = boost * 0.5f }, Occur.SHOULD);
                }
                if (i == terms.Count - 1 && term.Length >= 2)
                {
                    anyField.Add(new PrefixQuery(new Term(field, term)) { Boost = boost * 0.3f }, Occur.SHOULD);
                }
            }
            query.Add(anyField, Occur.MUST);
        }
        return query;
    }

    public Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        var terms = Analyze(prefix);
        if (terms.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }
        var query = new BooleanQuery();
        for (var i = 0; i < terms.Count; i++)
        {
            query.Add(i == terms.Count - 1 ? new PrefixQuery(new Term("title", terms[i])) : new TermQuery(new Term("title", terms[i])), Occur.MUST);
        }
        return Task.FromResult(WithSearcher<IReadOnlyList<string>>(fresh: true, searcher =>
            [.. searcher.Search(Live(query), limit * 4).ScoreDocs.Select(sd => searcher.Doc(sd.Doc).Get("title"))
                .Distinct(StringComparer.OrdinalIgnoreCase).Take(limit)]));
    }

    /// <summary>The words of a query as the index holds them (lower-cased, split like the indexed text).</summary>
    private List<string> Analyze(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return terms;
        }
        using var stream = _analyzer.GetTokenStream("title", text);
        var attribute = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(attribute.ToString());
        }
        stream.End();
        return terms;
    }

    /// <summary>Marks the query's words, fuzzy and prefix matches included (the query comes already rewritten against the index).</summary>
    private static Lucene.Net.Search.Highlight.Highlighter Highlighter(Query rewritten)
    {
        var scorer = new Lucene.Net.Search.Highlight.QueryScorer(rewritten);
        return new Lucene.Net.Search.Highlight.Highlighter(
            new Lucene.Net.Search.Highlight.SimpleHTMLFormatter("<mark>", "</mark>"), new Lucene.Net.Search.Highlight.SimpleHTMLEncoder(), scorer)
        {
            TextFragmenter = new Lucene.Net.Search.Highlight.SimpleSpanFragmenter(scorer, 120),
        };
    }

    private Dictionary<string, string> Highlight(Lucene.Net.Search.Highlight.Highlighter highlighter, Document doc)
    {
        var highlights = new Dictionary<string, string>();
        foreach (var field in (string[])["title", "description"])
        {
            var text = doc.Get(field) ?? "";
            if (highlighter.GetBestFragment(_analyzer, field, text) is { Length: > 0 } fragment)
            {
                highlights[field] = fragment;
            }
        }
        return highlights;
    }

    /// <summary>The filters narrow without scoring: a category and its subcategories, a brand, a price range.</summary>
    private static Query Filtered(Query query, SearchRequest request)
    {
        var filtered = new BooleanQuery { { query, Occur.MUST } };
        void Filter(Query filter) => filtered.Add(new ConstantScoreQuery(filter) { Boost = 0 }, Occur.MUST);
        if (!string.IsNullOrWhiteSpace(request.Category) && CategoryPaths.AndAncestors(request.Category) is { Count: > 0 } tree)
        {
            Filter(new TermQuery(new Term("category_tree", tree[^1])));
        }
        if (!string.IsNullOrWhiteSpace(request.Brand))
        {
            Filter(new TermQuery(new Term("brand_exact", request.Brand.Trim())));
        }
        if (request.MinPrice is not null || request.MaxPrice is not null)
        {
            Filter(NumericRangeQuery.NewDoubleRange("price_num", (double?)request.MinPrice, (double?)request.MaxPrice, true, true));
        }
        if (request.InStockOnly)
        {
            // Read from the doc value that stock changes update in place (FieldCache does not cache doc values).
            Filter(new ConstantScoreQuery(FieldCacheRangeFilter.NewInt64Range(InStockField, 1L, 1L, true, true)));
        }
        return filtered;
    }

    private static Sort SortFor(SearchSort sort) => sort switch
    {
        SearchSort.PriceAscending => new Sort(new SortField("price_num", SortFieldType.DOUBLE), SortField.FIELD_SCORE),
        SearchSort.PriceDescending => new Sort(new SortField("price_num", SortFieldType.DOUBLE, reverse: true), SortField.FIELD_SCORE),
        SearchSort.Newest => new Sort(new SortField("updated", SortFieldType.INT64, reverse: true), SortField.FIELD_SCORE),
        _ => Sort.RELEVANCE,
    };

    /// <summary>
    /// Runs <paramref name="read"/> on a searcher, released after. <paramref name="fresh"/> first reopens it
    /// on the latest writes (searches read their own writes); the version check needs no reopen.
    /// </summary>
    private T WithSearcher<T>(bool fresh, Func<IndexSearcher, T> read)
    {
        if (fresh)
        {
            _searchers.MaybeRefreshBlocking();
        }
        var searcher = _searchers.Acquire();
        try
        {
            return read(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Tombstones keep removed products' versions but never match a search; stock documents are not products.</summary>
    private static BooleanQuery Live(Query query) => new()
    {
        { query, Occur.MUST },
        { new TermQuery(new Term("deleted", "1")), Occur.MUST_NOT },
        { new TermQuery(new Term("kind", "stock")), Occur.MUST_NOT },
    };

    private long? IndexedVersion(string id) =>
        WithSearcher(fresh: false, searcher =>
        {
            var top = searcher.Search(new TermQuery(new Term("id", id)), 1);
            return top.TotalHits == 0 ? null : (long?)searcher.Doc(top.ScoreDocs[0].Doc).GetField("version").GetInt64Value();
        });

    private static Document ToLucene(string id, SearchDocument d) =>
    [
        new StringField("id", id, Field.Store.YES),
        new Int64Field("version", d.Version, Field.Store.YES),
        new StringField("merchantId", d.MerchantId.ToString("N"), Field.Store.YES),
        new TextField("title", d.Title, Field.Store.YES),
        new TextField("description", d.Description, Field.Store.YES),
        new TextField("brand", d.Brand, Field.Store.YES),
        new TextField("category", d.Category, Field.Store.YES),
        new StoredField("price", d.Price.ToString(CultureInfo.InvariantCulture)),
        new StoredField("currency", d.Currency),
        new StringField("deleted", d.Deleted ? "1" : "0", Field.Store.NO),
        // For filters, sorting and facets (the text fields above are analysed for matching words).
        .. d.CategoryTree.Select(path => new StringField("category_tree", path, Field.Store.NO)),
        .. d.CategoryTree.Select(path => new SortedSetDocValuesField(FacetCounter.CategoryField, new BytesRef(path))),
        new StringField("brand_exact", d.Brand, Field.Store.NO),
        new SortedDocValuesField(FacetCounter.BrandField, new BytesRef(d.Brand)),
        new DoubleField("price_num", (double)d.Price, Field.Store.NO),
        new NumericDocValuesField(FacetCounter.PriceField, (long)(d.Price * 100)),
        new Int64Field("updated", d.UpdatedAt.ToUnixTimeMilliseconds(), Field.Store.NO),
        .. d.SkuList.Select(sku => new StringField("sku", sku, Field.Store.YES)),
        new NumericDocValuesField(InStockField, d.InStock ? 1 : 0),
    ];

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _searchers.Dispose();
        _answers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
        _writeLock.Dispose();
        _commitLock.Dispose();
    }
}

/// <summary>
/// Facet counts over every matching document (Lucene.Net.Facet is not available here): per index
/// segment, counts by doc-values ordinal, turned into values when the segment is done.
/// </summary>
internal sealed class FacetCounter : ICollector
{
    public const string CategoryField = "category_facet";
    public const string BrandField = "brand_facet";
    public const string PriceField = "price_cents";
    private const int Top = 20;

    private readonly Dictionary<string, long> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _brands = new(StringComparer.Ordinal);
    private readonly long[] _prices = new long[Facets.PriceBounds.Length + 1];
    private SortedSetDocValues? _category;
    private SortedDocValues? _brand;
    private NumericDocValues? _price;
    private NumericDocValues? _inStock;
    private long _inStockCount;
    private long[] _categoryCounts = [];
    private long[] _brandCounts = [];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        Flush();
        _category = context.AtomicReader.GetSortedSetDocValues(CategoryField);
        _brand = context.AtomicReader.GetSortedDocValues(BrandField);
        _price = context.AtomicReader.GetNumericDocValues(PriceField);
        _inStock = context.AtomicReader.GetNumericDocValues(LuceneSearchIndex.InStockField);
        _categoryCounts = new long[_category?.ValueCount ?? 0];
        _brandCounts = new long[_brand?.ValueCount ?? 0];
    }

    public void Collect(int doc)
    {
        if (_category is not null)
        {
            _category.SetDocument(doc);
            long ord;
            while ((ord = _category.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
            {
                _categoryCounts[ord]++;
            }
        }
        if (_brand is not null && _brand.GetOrd(doc) is >= 0 and var brand)
        {
            _brandCounts[brand]++;
        }
        if (_price is not null)
        {
            _prices[Facets.Bucket(_price.Get(doc) / 100m)]++;
        }
        if (_inStock?.Get(doc) == 1)
        {
            _inStockCount++;
        }
    }

    /// <summary>Adds the finished segment's counts under their values.</summary>
    private void Flush()
    {
        var value = new BytesRef();
        for (var ord = 0; ord < _categoryCounts.Length; ord++)
        {
            if (_categoryCounts[ord] > 0)
            {
                _category!.LookupOrd(ord, value);
                _categories[value.Utf8ToString()] = _categories.GetValueOrDefault(value.Utf8ToString()) + _categoryCounts[ord];
            }
        }
        for (var ord = 0; ord < _brandCounts.Length; ord++)
        {
            if (_brandCounts[ord] > 0)
            {
                _brand!.LookupOrd(ord, value);
                _brands[value.Utf8ToString()] = _brands.GetValueOrDefault(value.Utf8ToString()) + _brandCounts[ord];
            }
        }
        _categoryCounts = [];
        _brandCounts = [];
    }

    public Facets ToFacets()
    {
        Flush();
        static IReadOnlyList<FacetValue> TopOf(Dictionary<string, long> counts) =>
            [.. counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(Top).Select(c => new FacetValue(c.Key, c.Value))];
        return new Facets(TopOf(_categories), TopOf(_brands), Facets.Ranges(_prices), _inStockCount);
    }
}
