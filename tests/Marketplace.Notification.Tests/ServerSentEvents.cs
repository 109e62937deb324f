using System.Text;
using System.Text.Json;

namespace Marketplace.Notification.Tests;

public sealed record SseFrame(string? Comment, string? Event, string? Data)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>Reads a text/event-stream frame by frame, as a browser's EventSource would.</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<SseFrame> ReadFrameAsync(CancellationToken ct)
    {
        string? comment = null, name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (comment is not null || data.Length > 0)
                {
                    return new SseFrame(comment, name, data.Length > 0 ? data.ToString() : null);
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                comment = line[1..].Trim();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
        }
    }

    /// <summary>The next event, skipping comments (heartbeats).</summary>
    public async Task<SseFrame> ReadEventAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var frame = await ReadFrameAsync(cts.Token);
            if (frame.Event is not null)
            {
                return frame;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}

/// <summary>An open <c>GET /api/notifications/stream</c> for one caller.</summary>
public sealed class OpenStream : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;

    private OpenStream(HttpClient client, HttpResponseMessage response, SseReader reader)
    {
        _client = client;
        _response = response;
        Reader = reader;
    }

    public SseReader Reader { get; }
    public HttpResponseMessage Response => _response;

    /// <summary>Returns once the service has subscribed (its first frame, a comment, arrived).</summary>
    public static async Task<OpenStream> OpenAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/notifications/stream", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = await reader.ReadFrameAsync(cts.Token);
        Assert.Equal("connected", first.Comment);
        return new OpenStream(client, response, reader);
    }

    public ValueTask DisposeAsync()
    {
        Reader.Dispose();
        _response.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
