using System.Net.Http.Headers;
using System.Text.Json;
using Marketplace.Web.Authentication;

namespace Marketplace.Web.Services;

/// <summary>
/// The signed-in user's live events, read server-side from the Gateway's <c>/api/notifications/stream</c>
/// (Server-Sent Events) with the user's token, one stream per circuit, and raised as C# events for the
/// components on screen. Reconnects with backoff when the stream ends; a component that must not miss a change
/// reloads its data after <see cref="Connected"/> fires (the stream only carries what happens after it opens).
/// </summary>
public sealed class LiveUpdates(IHttpClientFactory httpClients, IAccessTokens tokens, ILogger<LiveUpdates> logger) : IAsyncDisposable
{
    public const string HttpClientName = "live-updates";

    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task? _loop;
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public event Action<OrderStatusChange>? OrderStatusChanged;
    public event Action<Notification>? NotificationReceived;

    /// <summary>Raised each time the stream (re)opens: anything may have changed while it was closed.</summary>
    public event Action? Connected;

    public bool IsConnected { get; private set; }

    /// <summary>Starts listening (once per circuit) and waits up to <paramref name="wait"/> for the stream to open.</summary>
    public async Task<bool> StartAsync(TimeSpan wait)
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
        var opened = await Task.WhenAny(_firstConnection.Task, Task.Delay(wait, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        return opened == _firstConnection.Task;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await tokens.GetAccessTokenAsync(ct) is not { } token)
                {
                    return; // signed out: nothing to listen to
                }
                using var http = httpClients.CreateClient(HttpClientName);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications/stream");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.ParseAdd("text/event-stream");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.IsSuccessStatusCode)
                {
                    await using var body = await response.Content.ReadAsStreamAsync(ct);
                    using var reader = new StreamReader(body);
                    await ReadEventsAsync(reader, () => delay = TimeSpan.FromSeconds(1), ct);
                }
                else
                {
                    logger.LogInformation("The live stream answered {Status}", (int)response.StatusCode);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or JsonException or TaskCanceledException)
            {
                logger.LogDebug(e, "The live stream broke; reconnecting");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            IsConnected = false;
            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private async Task ReadEventsAsync(StreamReader reader, Action onOpen, CancellationToken ct)
    {
        string? name = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith(':'))
            {
                if (!IsConnected && line.StartsWith(": connected", StringComparison.Ordinal))
                {
                    IsConnected = true;
                    onOpen();
                    _firstConnection.TrySetResult();
                    Connected?.Invoke();
                }
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                Dispatch(name, line["data: ".Length..]);
                name = null;
            }
        }
    }

    private void Dispatch(string name, string data)
    {
        switch (name)
        {
            case "order-status" when JsonSerializer.Deserialize<OrderStatusChange>(data, JsonSerializerOptions.Web) is { } change:
                OrderStatusChanged?.Invoke(change);
                break;
            case "notification" when JsonSerializer.Deserialize<Notification>(data, JsonSerializerOptions.Web) is { } notification:
                NotificationReceived?.Invoke(notification);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }
        _stop.Dispose();
        _firstConnection.TrySetCanceled();
    }
}
