using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A message no consumer can use, put straight on each consumer's queue: bytes that are not JSON end in the queue's
/// <c>_error</c> queue under their own MessageId (never acknowledged and dropped); an envelope of the right type
/// whose content is empty (no ids, no lines) is either moved there too or ignored by rule, and either way the
/// service keeps running and the queue does not stay blocked. An unreadable message's fault is logged once with its MessageId.
/// </summary>
public sealed class MalformedMessageTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Contracts = "Marketplace.Shared.Contracts";

    public static TheoryData<string, string, string> Consumers => new()
    {
        { "notification", "notification-order-confirmed", $"{Contracts}:OrderConfirmed" },
        { "notification", "notification-order-cancelled", $"{Contracts}:OrderCancelled" },
        { "notification", "notification-order-shipped", $"{Contracts}:OrderShipped" },
        { "notification", "notification-low-stock", $"{Contracts}:LowStock" },
        { "notification", "notification-order-status-changed", $"{Contracts}:OrderStatusChanged" },
        { "identity", "identity-account-mail", "Marketplace.Identity.Mail:AccountMailRequested" },
        { "payment", "payment-authorize-payment", $"{Contracts}:AuthorizePayment" },
        { "payment", "payment-capture-payment", $"{Contracts}:CapturePayment" },
        { "payment", "payment-void-payment", $"{Contracts}:VoidPayment" },
        { "payment", "payment-refund-payment", $"{Contracts}:RefundPayment" },
        { "catalog", "catalog-stock-changed", $"{Contracts}:StockChanged" },
        { "ordering", "ordering-stock-reserved", $"{Contracts}:StockReserved" },
        { "ordering", "ordering-stock-reservation-failed", $"{Contracts}:StockReservationFailed" },
        { "ordering", "ordering-reservation-expired", $"{Contracts}:ReservationExpired" },
        { "ordering", "ordering-reservation-confirmation-failed", $"{Contracts}:ReservationConfirmationFailed" },
        { "ordering", "ordering-payment-authorized", $"{Contracts}:PaymentAuthorized" },
        { "ordering", "ordering-payment-declined", $"{Contracts}:PaymentDeclined" },
        { "ordering", "ordering-payment-captured", $"{Contracts}:PaymentCaptured" },
        { "ordering", "ordering-payment-voided", $"{Contracts}:PaymentVoided" },
        { "ordering", "ordering-payment-refunded", $"{Contracts}:PaymentRefunded" },
        { "search", "search-catalog-events", $"{Contracts}:ProductPublished" },
        { "search", "search-stock-events", $"{Contracts}:StockChanged" },
        { "users", "users-user-registered", "Marketplace.Shared.Contracts:UserRegistered" },
        { "inventory", "inventory-catalog-ownership", $"{Contracts}:ProductPublished" },
        { "inventory", "inventory-reserve-stock", $"{Contracts}:ReserveStock" },
        { "inventory", "inventory-confirm-reservation", $"{Contracts}:ConfirmReservation" },
        { "inventory", "inventory-release-reservation", $"{Contracts}:ReleaseReservation" },
        { "inventory", "inventory-commit-reservation", $"{Contracts}:CommitReservation" },
    };

    // Each test checks every consumer at once (one consumer's case would otherwise wait its turn behind the others'
    // retries and settling time), and names every consumer that failed.
    [Fact]
    public Task Bytes_that_are_not_json_end_in_the_error_queue_and_the_service_carries_on() =>
        ForEveryConsumerAsync(async (connection, service, queue, _) =>
        {
            var messageId = Guid.NewGuid().ToString();
            await PublishAsync(connection, queue, messageId, "{\"messageId\": not json at all"u8.ToArray());

            Assert.True(await FoundInErrorQueueAsync(connection, queue, messageId, TimeSpan.FromSeconds(45)),
                $"the unreadable message {messageId} never reached {queue}_error");
            Assert.All(fixture.Instances(service), instance => Assert.True(fixture.IsHealthy(instance), $"{instance} is no longer healthy"));
            // Its fault is logged once, under its MessageId (not once per retry, and not without the id).
            var logged = await fixture.LogLinesAsync(service, messageId);
            Assert.True(logged.Count == 1, $"{service} logged {messageId} {logged.Count} times: {string.Join(" | ", logged)}");
        });

    [Fact]
    public Task An_empty_message_of_the_right_type_is_refused_or_ignored_and_never_blocks_the_queue() =>
        ForEveryConsumerAsync(async (connection, service, queue, messageType) =>
        {
            var messageId = Guid.NewGuid().ToString();
            var envelope = $$$"""{"messageId":"{{{messageId}}}","messageType":["urn:message:{{{messageType}}}"],"message":{}}""";
            await PublishAsync(connection, queue, messageId, Encoding.UTF8.GetBytes(envelope));

            // Gone from the queue: consumed (and ignored by rule) or moved to _error after its retries.
            var deadline = DateTime.UtcNow.AddSeconds(45);
            uint waiting;
            do
            {
                await Task.Delay(250, Ct);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
                waiting = (await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount;
            }
            while (waiting > 0 && DateTime.UtcNow < deadline);
            Assert.True(waiting == 0, $"{waiting} messages still wait on {queue}");
            await FoundInErrorQueueAsync(connection, queue, messageId, TimeSpan.FromSeconds(5));
            Assert.All(fixture.Instances(service), instance => Assert.True(fixture.IsHealthy(instance), $"{instance} is no longer healthy"));
        });

    /// <summary>Runs the check for every consumer's queue at the same time; fails naming each queue whose check failed, and why.</summary>
    private async Task ForEveryConsumerAsync(Func<IConnection, string, string, string, Task> check)
    {
        await using var connection = await ConnectAsync();
        var failures = await Task.WhenAll(Consumers.Select(async row =>
        {
            var (service, queue, messageType) = ((string)row.Data.Item1, (string)row.Data.Item2, (string)row.Data.Item3);
            try
            {
                await check(connection, service, queue, messageType);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return $"{queue} ({service}): {e.Message}";
            }
        }));
        Assert.True(failures.All(f => f is null), string.Join(Environment.NewLine, failures.Where(f => f is not null)));
    }

    private async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(fixture.BrokerConnectionString) }.CreateConnectionAsync(Ct);

    private static async Task PublishAsync(IConnection connection, string queue, string messageId, byte[] body)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        // The queue must be the consumer's own: a name that does not exist fails here rather than passing silently.
        await channel.QueueDeclarePassiveAsync(queue, Ct);
        var properties = new BasicProperties { MessageId = messageId, ContentType = "application/vnd.masstransit+json", Persistent = true };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, Ct);
    }

    /// <summary>Takes the message with this id from the error queue (others are put back); false if it never comes.</summary>
    private static async Task<bool> FoundInErrorQueueAsync(IConnection connection, string queue, string messageId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
            try
            {
                var count = (await channel.QueueDeclarePassiveAsync(queue + "_error", Ct)).MessageCount;
                var others = new List<ulong>();
                for (var i = 0; i < count; i++)
                {
                    if (await channel.BasicGetAsync(queue + "_error", autoAck: false, Ct) is not { } got)
                    {
                        break;
                    }
                    if (got.BasicProperties.MessageId == messageId)
                    {
                        await channel.BasicAckAsync(got.DeliveryTag, multiple: false, Ct);
                        foreach (var tag in others)
                        {
                            await channel.BasicNackAsync(tag, multiple: false, requeue: true, Ct);
                        }
                        return true;
                    }
                    others.Add(got.DeliveryTag);
                }
                foreach (var tag in others)
                {
                    await channel.BasicNackAsync(tag, multiple: false, requeue: true, Ct);
                }
            }
            catch (OperationInterruptedException)
            {
                // The error queue is declared with the first error: not yet.
            }
            await Task.Delay(500, Ct);
        }
        return false;
    }
}
