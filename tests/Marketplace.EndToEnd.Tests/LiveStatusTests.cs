using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Order status reaches a listening client as it changes, over Server-Sent Events through the gateway.</summary>
public sealed class LiveStatusTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shopper_listening_sees_the_order_move_to_confirmed_and_another_shopper_sees_nothing()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Live Watcher"));
        using var stranger = await fixture.ClientForAsync(await fixture.NewShopperAsync("Live Stranger"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Live Lamp", units: 3);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await using var mine = await EventStream.OpenAsync(shopper, timeout.Token);
        await using var theirs = await EventStream.OpenAsync(stranger, timeout.Token);

        var id = await PlaceAcceptedAsync(shopper, Order(sku));

        var seen = new List<string>();
        await foreach (var (name, data) in mine.ReadAsync(timeout.Token))
        {
            if (name == "order-status" && data.GetProperty("orderId").GetGuid() == id)
            {
                seen.Add(data.GetProperty("status").GetString()!);
                if (seen[^1] == "Confirmed")
                {
                    break;
                }
            }
        }
        // The answer to the placement already said AwaitingPayment (held at the click): the first live news is the outcome.
        Assert.Equal(["Confirmed"], seen);
        Assert.DoesNotContain(theirs.Received, e => e.Data.TryGetProperty("orderId", out var o) && o.GetGuid() == id);
    }

    /// <summary>A text/event-stream read line by line: events are the <c>event:</c> and <c>data:</c> lines before a blank one.</summary>
    private sealed class EventStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly Task _drain;
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Threading.Channels.Channel<(string, JsonElement)> _events = System.Threading.Channels.Channel.CreateUnbounded<(string, JsonElement)>();

        private EventStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
            _drain = Task.Run(DrainAsync);
        }

        public List<(string Name, JsonElement Data)> Received { get; } = [];

        public static async Task<EventStream> OpenAsync(HttpClient client, CancellationToken ct)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications/stream");
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            // The subscription is in place once the first comment arrives: nothing sent after it is missed.
            Assert.Equal(": connected", await reader.ReadLineAsync(ct));
            return new EventStream(response, reader);
        }

        private async Task DrainAsync()
        {
            string? name = null;
            try
            {
                while (await _reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line["event: ".Length..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
                    {
                        var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                        lock (Received)
                        {
                            Received.Add((name, data));
                        }
                        await _events.Writer.WriteAsync((name, data), _stop.Token);
                        name = null;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // closed
            }
            _events.Writer.TryComplete();
        }

        public IAsyncEnumerable<(string Name, JsonElement Data)> ReadAsync(CancellationToken ct) => _events.Reader.ReadAllAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _drain;
            _reader.Dispose();
            _stop.Dispose();
        }
    }
}
