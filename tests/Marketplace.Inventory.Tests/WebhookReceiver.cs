using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Marketplace.Inventory.Tests;

/// <summary>
/// Where the simulator's webhooks land in these tests: a real HTTP endpoint on a loopback port the
/// system picks, which keeps every request (headers and raw body, for checking signatures) and
/// answers 200 unless a test scripted other answers for a SKU.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private const string Path = "/webhooks/warehouse";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripted = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost(Path, receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Urls.Single() + Path;
        return receiver;
    }

    /// <summary>Deliveries of events about <paramref name="sku"/> get these answers, one each, before the usual 200.</summary>
    public void Answer(string sku, params int[] statuses) => _scripted[sku] = new ConcurrentQueue<int>(statuses);

    /// <summary>Every delivery that mentioned the SKU, in the order they arrived.</summary>
    public IReadOnlyList<ReceivedWebhook> About(string sku) => [.. _received.Where(r => r.Skus.Contains(sku))];

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        using var json = JsonDocument.Parse(body);
        var skus = json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sku").GetString()!).ToList();
        var status = skus.Select(s => _scripted.TryGetValue(s, out var answers) && answers.TryDequeue(out var answer) ? answer : (int?)null)
            .FirstOrDefault(s => s is not null) ?? StatusCodes.Status200OK;
        _received.Enqueue(new ReceivedWebhook(headers, body, skus, status));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <param name="AnsweredWith">The status code the receiver answered this delivery with.</param>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, string Body, IReadOnlyList<string> Skus, int AnsweredWith)
{
    public JsonElement Json => JsonElement.Parse(Body);

    public string EventId => Json.GetProperty("id").GetString()!;

    public string Type => Json.GetProperty("type").GetString()!;

    public JsonElement Item(string sku) => Json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sku").GetString() == sku);
}
