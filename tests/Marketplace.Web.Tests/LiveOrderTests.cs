using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Marketplace.Web.Authentication;
using Marketplace.Web.Components.Pages;
using Marketplace.Web.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Web.Tests;

/// <summary>
/// The order page follows the notification stream: a newer status shows without reloading the page, an older one
/// (events may arrive late) changes nothing, and the order is read again once the stream is open.
/// </summary>
public sealed class LiveOrderTests : WebTestContext
{
    private static readonly Guid OrderId = Guid.CreateVersion7();
    private readonly Pipe _stream = new();
    private Order _order = Order("AwaitingPayment", sequence: 2);
    private int _orderReads;

    private static Order Order(string status, int sequence) => new(
        OrderId, Guid.NewGuid(), status, "Requested", 59.99m, "USD",
        [new("ACME-1", Guid.NewGuid(), Guid.NewGuid(), "Acme Earbuds", 1, 59.99m, 59.99m, null, null)],
        new ShippingAddress("Sam", "1 Main St", null, "Springfield", "10001", "US"), null, sequence,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, []);

    /// <summary>The Gateway as the page reaches it: the order as it stands, and a stream the test writes events into.</summary>
    private sealed class Gateway(LiveOrderTests test) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Assert.Equal("Bearer", request.Headers.Authorization?.Scheme);
            if (request.RequestUri!.AbsolutePath == "/api/notifications/stream")
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(test._stream.Reader.AsStream()) });
            }
            Assert.Equal($"/api/orders/{OrderId}", request.RequestUri.AbsolutePath);
            Interlocked.Increment(ref test._orderReads);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(JsonSerializer.Serialize(test._order, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
            });
        }
    }

    private sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { BaseAddress = new Uri("http://gateway") };
    }

    private sealed class Token : IAccessTokens
    {
        public Task<string?> GetAccessTokenAsync(CancellationToken ct = default) => Task.FromResult<string?>("token");
    }

    public LiveOrderTests()
    {
        var clients = new Clients(new Gateway(this));
        Services.AddLogging();
        Services.AddSingleton<IAccessTokens, Token>();
        Services.AddSingleton<IHttpClientFactory>(clients);
        Services.AddSingleton(s => new OrdersClient(clients.CreateClient(""), s.GetRequiredService<IAccessTokens>()));
        Services.AddScoped<LiveUpdates>();
    }

    private async Task SendAsync(string text)
    {
        await _stream.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.Writer.FlushAsync();
    }

    private static string StatusEvent(string status, int sequence) =>
        $"event: order-status\ndata: {JsonSerializer.Serialize(new { orderId = OrderId, status, reason = (string?)null, sequence }, JsonSerializerOptions.Web)}\n\n";

    [Fact]
    public async Task A_newer_status_shows_at_once_and_a_late_older_one_changes_nothing()
    {
        var cut = Render<OrderDetails>(p => p.Add(c => c.Id, OrderId));
        cut.WaitForAssertion(() => Assert.Equal("Awaiting payment", cut.Find("[data-testid='order-status']").TextContent.Trim()));

        await SendAsync(": connected\n\n");
        cut.WaitForAssertion(() => Assert.True(_orderReads >= 2, "the order is read again once the stream is open"));

        _order = Order("Confirmed", sequence: 3);
        await SendAsync(StatusEvent("Confirmed", 3));
        cut.WaitForAssertion(() => Assert.Equal("Confirmed", cut.Find("[data-testid='order-status']").TextContent.Trim()));
        Assert.Contains("Paid and confirmed", cut.Find("[data-testid='status-explained']").TextContent);

        // The newer status may still be re-reading the order: let it settle before counting reads.
        await SendAsync(": heartbeat\n\n");
        await Task.Delay(200, Xunit.TestContext.Current.CancellationToken);
        var reads = _orderReads;
        await SendAsync(StatusEvent("AwaitingPayment", 2));
        await SendAsync(": heartbeat\n\n");
        await Task.Delay(200, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("Confirmed", cut.Find("[data-testid='order-status']").TextContent.Trim());
        Assert.Equal(reads, _orderReads);
    }

    [Fact]
    public async Task Another_orders_status_is_not_this_orders()
    {
        var cut = Render<OrderDetails>(p => p.Add(c => c.Id, OrderId));
        await SendAsync(": connected\n\n");
        cut.WaitForAssertion(() => Assert.True(_orderReads >= 2));

        await SendAsync($"event: order-status\ndata: {{\"orderId\":\"{Guid.NewGuid()}\",\"status\":\"Cancelled\",\"reason\":\"x\",\"sequence\":9}}\n\n");
        await SendAsync(": heartbeat\n\n");
        await Task.Delay(200, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("Awaiting payment", cut.Find("[data-testid='order-status']").TextContent.Trim());
    }
}
