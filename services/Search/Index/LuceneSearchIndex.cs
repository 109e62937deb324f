using System.Globalization;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Marketplace.Search.Index;

/// <summary>
/// Lucene.Net on the Search service's disk. One writer per process (Lucene's write lock), near-real-time
/// readers refreshed after each write so a change is searchable at once.
/// </summary>
public sealed class LuceneSearchIndex : ISearchIndex, IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private static readonly string[] SearchFields = ["title", "brand", "category", "description"];
    private static readonly Dictionary<string, float> Boosts = new() { ["title"] = 4f, ["brand"] = 2f, ["category"] = 1.5f, ["description"] = 1f };

    private readonly LuceneDirectory _directory;
    private readonly StandardAnalyzer _analyzer = new(Version);
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public LuceneSearchIndex(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { OpenMode = OpenMode.CREATE_OR_APPEND });
        _writer.Commit();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
    }

    public async Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var id = document.ProductId.ToString("N");
            if (CurrentVersion(id) is { } current && current >= document.Version)
            {
                return false;
            }
            _writer.UpdateDocument(new Term("id", id), ToLucene(id, document));
            _writer.Commit();
            _searchers.MaybeRefreshBlocking();
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        _searchers.MaybeRefresh();
        var searcher = _searchers.Acquire();
        try
        {
            var query = Live(BuildQuery(request.Query));
            var top = searcher.Search(query, request.Page * request.PageSize);
            var hits = top.ScoreDocs.Skip((request.Page - 1) * request.PageSize).Select(sd =>
            {
                var doc = searcher.Doc(sd.Doc);
                return new SearchHit(
                    Guid.ParseExact(doc.Get("id"), "N"), doc.Get("title"), doc.Get("brand"), doc.Get("category"),
                    decimal.Parse(doc.Get("price"), CultureInfo.InvariantCulture), doc.Get("currency"), sd.Score);
            }).ToList();
            return Task.FromResult(new SearchResult(hits, top.TotalHits, request.Page, request.PageSize));
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    public Task<long> CountAsync(CancellationToken ct)
    {
        _searchers.MaybeRefresh();
        var searcher = _searchers.Acquire();
        try
        {
            return Task.FromResult((long)searcher.Search(Live(new MatchAllDocsQuery()), 1).TotalHits);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private Query BuildQuery(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new MatchAllDocsQuery();
        }
        var parser = new MultiFieldQueryParser(Version, SearchFields, _analyzer, Boosts) { DefaultOperator = Operator.AND };
        return parser.Parse(QueryParserBase.Escape(text.Trim()));
    }

    /// <summary>Tombstones keep removed products' versions but never match a search.</summary>
    private static BooleanQuery Live(Query query) => new()
    {
        { query, Occur.MUST },
        { new TermQuery(new Term("deleted", "1")), Occur.MUST_NOT },
    };

    private long? CurrentVersion(string id)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var top = searcher.Search(new TermQuery(new Term("id", id)), 1);
            return top.TotalHits == 0 ? null : searcher.Doc(top.ScoreDocs[0].Doc).GetField("version").GetInt64Value();
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

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
    ];

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
        _writeLock.Dispose();
    }
}
