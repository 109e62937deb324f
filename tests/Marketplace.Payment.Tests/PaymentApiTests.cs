using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Marketplace.Payment.Api;
using Marketplace.Shared.Contracts;

namespace Marketplace.Payment.Tests;

public sealed class PaymentApiTests(PaymentWorld world) : IClassFixture<PaymentWorld>
{
    [Fact]
    public async Task Buyer_sees_their_payment_with_its_provider_calls_and_nobody_else_but_an_admin_does()
    {
        var orderId = Guid.NewGuid();
        var buyerId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, buyerId, 19.90m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        await world.PassAsync();

        using var asBuyer = await GetAsync(orderId, PaymentWorld.Token(buyerId));
        using var asOtherBuyer = await GetAsync(orderId, PaymentWorld.Token(Guid.NewGuid()));
        using var asAdmin = await GetAsync(orderId, PaymentWorld.Token(Guid.NewGuid(), "admin"));
        using var anonymous = await GetAsync(orderId, token: null);

        Assert.Equal(HttpStatusCode.OK, asBuyer.StatusCode);
        var payment = (await asBuyer.Content.ReadFromJsonAsync<PaymentDto>(TestContext.Current.CancellationToken))!;
        Assert.Equal(("Authorized", 19.90m, "USD"), (payment.Status, payment.Amount, payment.Currency));
        Assert.StartsWith("pi_", payment.ProviderIntentId);
        var call = Assert.Single(payment.Operations);
        Assert.Equal(("authorize", $"{payment.PaymentId}-authorize", 200), (call.Kind, call.IdempotencyKey, call.HttpStatus));
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (asOtherBuyer.StatusCode, asOtherBuyer.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Unknown_order_is_404_even_for_an_admin()
    {
        using var response = await GetAsync(Guid.NewGuid(), PaymentWorld.Token(Guid.NewGuid(), "admin"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<HttpResponseMessage> GetAsync(Guid orderId, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/payments/{orderId}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await world.Payment.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
