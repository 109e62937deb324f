using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Profiles are created from Identity's UserRegistered events and belong to their owner alone.</summary>
public sealed class ProfileTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> ClientForAsync(string user)
    {
        var client = fixture.CreateClient("gateway");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync(user));
        return client;
    }

    private static async Task<JsonElement> ProfileEventuallyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/api/users/me", Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            }
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the profile was not created from UserRegistered within 60 s");
            await Task.Delay(500, Ct);
        }
    }

    [Fact]
    public async Task Registered_account_gets_its_own_profile()
    {
        using var shopper = await ClientForAsync("shopper@marketplace.test");
        using var merchant = await ClientForAsync("merchant@marketplace.test");

        var mine = await ProfileEventuallyAsync(shopper);
        var theirs = await ProfileEventuallyAsync(merchant);

        Assert.Equal("shopper@marketplace.test", mine.GetProperty("email").GetString());
        Assert.Equal("Sam Shopper", mine.GetProperty("displayName").GetString());
        Assert.Equal(["shopper"], mine.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(mine.GetProperty("emailPreferences").GetProperty("marketing").GetBoolean());
        Assert.Equal("merchant@marketplace.test", theirs.GetProperty("email").GetString());
        Assert.NotEqual(mine.GetProperty("userId").GetGuid(), theirs.GetProperty("userId").GetGuid());
    }

    [Fact]
    public async Task Profile_update_is_kept()
    {
        using var client = await ClientForAsync("shopper2@marketplace.test");
        await ProfileEventuallyAsync(client);

        using var response = await client.PutAsJsonAsync("/api/users/me",
            new { displayName = "  Sky S.  ", emailPreferences = new Dictionary<string, bool> { ["order-shipped"] = false } }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await ProfileEventuallyAsync(client);
        Assert.Equal("Sky S.", stored.GetProperty("displayName").GetString());
        Assert.False(stored.GetProperty("emailPreferences").GetProperty("order-shipped").GetBoolean());
        Assert.True(stored.GetProperty("emailPreferences").GetProperty("order-confirmed").GetBoolean());
    }

    [Fact]
    public async Task Invalid_update_names_each_field_and_changes_nothing()
    {
        using var client = await ClientForAsync("admin@marketplace.test");
        var before = await ProfileEventuallyAsync(client);

        using var response = await client.PutAsJsonAsync("/api/users/me",
            new { displayName = " ", emailPreferences = new Dictionary<string, bool> { ["carrier-pigeon"] = true } }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("displayName", out _));
        Assert.True(errors.TryGetProperty("emailPreferences", out _));
        var after = await ProfileEventuallyAsync(client);
        Assert.Equal(before.GetProperty("displayName").GetString(), after.GetProperty("displayName").GetString());
    }
}
