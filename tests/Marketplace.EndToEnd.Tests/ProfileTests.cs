using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Profiles are created from Identity's UserRegistered events and belong to their owner alone.</summary>
public sealed class ProfileTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<HttpClient> ClientForAsync(string user) => fixture.ClientForAsync(user);

    private static Task<JsonElement> ProfileEventuallyAsync(HttpClient client) => MarketplaceAppFixture.ProfileEventuallyAsync(client, Ct);

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

    private static object Address(string line1, bool? isDefault = null) =>
        new { label = "Home", recipient = "Riley Tester", line1, city = "Springfield", postalCode = "12345", country = "us", isDefaultShipping = isDefault };

    [Fact]
    public async Task Addresses_are_added_edited_made_default_and_removed()
    {
        using var client = await ClientForAsync(await fixture.NewShopperAsync("Addie Address"));
        await ProfileEventuallyAsync(client);

        using var first = await client.PostAsJsonAsync("/api/users/me/addresses", Address("1 First St"), Ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Assert.Equal($"/api/users/me/addresses/{firstId}", first.Headers.Location?.OriginalString);
        using var second = await client.PostAsJsonAsync("/api/users/me/addresses", Address("2 Second St"), Ct);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        var profile = await ProfileEventuallyAsync(client);
        Assert.Equal(firstId, profile.GetProperty("defaultShippingAddressId").GetGuid());
        Assert.Equal("US", profile.GetProperty("addresses")[0].GetProperty("country").GetString());

        using var edit = await client.PutAsJsonAsync($"/api/users/me/addresses/{secondId}", Address("2b Second St", isDefault: true), Ct);
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        profile = await ProfileEventuallyAsync(client);
        Assert.Equal(secondId, profile.GetProperty("defaultShippingAddressId").GetGuid());
        Assert.Equal("2b Second St", profile.GetProperty("addresses").EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == secondId).GetProperty("line1").GetString());

        using var makeDefault = await client.PutAsync($"/api/users/me/addresses/{firstId}/default-shipping", null, Ct);
        Assert.Equal(HttpStatusCode.OK, makeDefault.StatusCode);
        using var remove = await client.DeleteAsync($"/api/users/me/addresses/{firstId}", Ct);
        Assert.Equal(HttpStatusCode.OK, remove.StatusCode);

        profile = await ProfileEventuallyAsync(client);
        Assert.Equal([secondId], profile.GetProperty("addresses").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
        // The default went with the removed address; the remaining one takes over.
        Assert.Equal(secondId, profile.GetProperty("defaultShippingAddressId").GetGuid());
    }

    [Fact]
    public async Task Concurrent_address_additions_are_all_kept()
    {
        using var client = await ClientForAsync(await fixture.NewShopperAsync("Connie Current"));
        await ProfileEventuallyAsync(client);

        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            client.PostAsJsonAsync("/api/users/me/addresses", Address($"{i} Parallel Way"), Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var lines = (await ProfileEventuallyAsync(client)).GetProperty("addresses").EnumerateArray().Select(a => a.GetProperty("line1").GetString()).Order();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i} Parallel Way").Order(), lines);
    }

    [Fact]
    public async Task An_invalid_address_names_each_field_and_changes_nothing()
    {
        using var client = await ClientForAsync(await fixture.NewShopperAsync("Ivy Invalid"));
        await ProfileEventuallyAsync(client);

        using var response = await client.PostAsJsonAsync("/api/users/me/addresses",
            new { recipient = "", line1 = new string('x', 201), city = "Springfield", postalCode = "!", country = "USA", phone = "call me" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Equal(["country", "line1", "phone", "postalCode", "recipient"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Empty((await ProfileEventuallyAsync(client)).GetProperty("addresses").EnumerateArray());
    }

    [Fact]
    public async Task Another_shoppers_address_is_not_found()
    {
        using var owner = await ClientForAsync(await fixture.NewShopperAsync("Olive Owner"));
        using var other = await ClientForAsync(await fixture.NewShopperAsync("Otto Other"));
        await ProfileEventuallyAsync(owner);
        await ProfileEventuallyAsync(other);
        using var created = await owner.PostAsJsonAsync("/api/users/me/addresses", Address("9 Private Rd"), Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        using var edit = await other.PutAsJsonAsync($"/api/users/me/addresses/{id}", Address("Hijacked"), Ct);
        using var remove = await other.DeleteAsync($"/api/users/me/addresses/{id}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, edit.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
        Assert.Equal("9 Private Rd", (await ProfileEventuallyAsync(owner)).GetProperty("addresses")[0].GetProperty("line1").GetString());
    }
}
