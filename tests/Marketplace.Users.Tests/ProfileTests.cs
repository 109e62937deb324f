using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Tests;

/// <summary>
/// A profile from registration to the contact other services read: created once per registration however often the
/// event comes, changed only by its owner (and under its row lock), refused clearly when the input is wrong.
/// </summary>
public sealed class ProfileTests(UsersApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Guid> RegisteredAsync(string name = "Ada Lovelace")
    {
        var id = Guid.NewGuid();
        Assert.Null((await app.DeliverAsync(new UserRegistered(id, $"user-{id:N}@example.test", name, DateTimeOffset.UtcNow), Guid.NewGuid())).Exception);
        return id;
    }

    private static object Address(string line1 = "1 Analytical Way", string country = "GB", bool? isDefault = null) => new
    {
        label = "Home", recipient = "Ada Lovelace", line1, city = "London", postalCode = "NW1 2AB", country, isDefaultShipping = isDefault,
    };

    [Fact]
    public async Task A_registration_delivered_twice_makes_one_profile_with_every_email_on_but_marketing()
    {
        var id = Guid.NewGuid();
        var registered = new UserRegistered(id, $"twice-{id:N}@example.test", "Grace Hopper", DateTimeOffset.UtcNow);

        Assert.Null((await app.DeliverAsync(registered, Guid.NewGuid())).Exception);
        Assert.Null((await app.DeliverAsync(registered, Guid.NewGuid())).Exception); // the same registration under another message id (a republished row)

        Assert.Equal(1, await app.QueryAsync(db => db.Profiles.CountAsync(p => p.UserId == id, Ct)));
        using var owner = app.ClientFor(id);
        var me = await owner.GetFromJsonAsync<JsonElement>("/api/users/me", Ct);
        Assert.Equal(("Grace Hopper", registered.Email), (me.GetProperty("displayName").GetString(), me.GetProperty("email").GetString()));
        var preferences = me.GetProperty("emailPreferences").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean());
        Assert.False(preferences["marketing"]);
        Assert.All(preferences.Where(p => p.Key != "marketing"), p => Assert.True(p.Value));
    }

    [Fact]
    public async Task Before_the_registration_arrives_the_profile_is_a_clear_404_not_an_error()
    {
        using var early = app.ClientFor(Guid.NewGuid());

        using var response = await early.GetAsync("/api/users/me", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Profile not found", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Only_the_owner_changes_a_profile_and_another_user_cannot_reach_it_by_id()
    {
        var owner = await RegisteredAsync();
        var stranger = await RegisteredAsync("Stranger");
        using var ownerClient = app.ClientFor(owner);
        using var strangerClient = app.ClientFor(stranger);
        using var added = await ownerClient.PostAsJsonAsync("/api/users/me/addresses", Address(), Ct);
        var addressId = (await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        using var readById = await strangerClient.GetAsync($"/api/users/{owner}", Ct);
        using var changeTheirs = await strangerClient.PutAsJsonAsync($"/api/users/me/addresses/{addressId}", Address("2 Elsewhere"), Ct);
        using var removeTheirs = await strangerClient.DeleteAsync($"/api/users/me/addresses/{addressId}", Ct);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readById.StatusCode); // any profile by id: admins only
        Assert.Equal(HttpStatusCode.NotFound, changeTheirs.StatusCode); // /me is always the caller's own profile
        Assert.Equal(HttpStatusCode.NotFound, removeTheirs.StatusCode);
        var mine = await ownerClient.GetFromJsonAsync<JsonElement>("/api/users/me", Ct);
        var address = Assert.Single(mine.GetProperty("addresses").EnumerateArray());
        Assert.Equal(("1 Analytical Way", true), (address.GetProperty("line1").GetString(), address.GetProperty("isDefaultShipping").GetBoolean()));
        using var admin = app.ClientFor(Guid.NewGuid(), role: "admin");
        Assert.Equal(owner, (await admin.GetFromJsonAsync<JsonElement>($"/api/users/{owner}", Ct)).GetProperty("userId").GetGuid());
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_each_field_and_changes_nothing()
    {
        var owner = await RegisteredAsync();
        using var client = app.ClientFor(owner);

        using var badAddress = await client.PostAsJsonAsync("/api/users/me/addresses", new { recipient = "", line1 = "x", city = "London", postalCode = "!!", country = "Britain", phone = "call me" }, Ct);
        using var badProfile = await client.PutAsJsonAsync("/api/users/me", new { displayName = "   ", emailPreferences = new Dictionary<string, bool> { ["carrier-pigeon"] = true } }, Ct);
        using var notJson = await client.PutAsync("/api/users/me", new StringContent("{\"displayName\": ", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, badAddress.StatusCode);
        var addressErrors = (await badAddress.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal(["country", "phone", "postalCode", "recipient"], addressErrors.Order());
        Assert.Equal(HttpStatusCode.BadRequest, badProfile.StatusCode);
        var profileErrors = (await badProfile.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Contains("carrier-pigeon", profileErrors.GetProperty("emailPreferences")[0].GetString());
        Assert.True(profileErrors.TryGetProperty("displayName", out _));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/users/me", Ct);
        Assert.Equal(("Ada Lovelace", 0), (me.GetProperty("displayName").GetString(), me.GetProperty("addresses").GetArrayLength()));
    }

    [Fact]
    public async Task Addresses_added_at_once_all_stay_and_the_first_is_the_default()
    {
        var owner = await RegisteredAsync();
        using var client = app.ClientFor(owner);

        var answers = await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
        {
            using var response = await client.PostAsJsonAsync("/api/users/me/addresses", Address($"{i} Concurrent Street"), Ct);
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Created, status));
        var me = await client.GetFromJsonAsync<JsonElement>("/api/users/me", Ct);
        var addresses = me.GetProperty("addresses").EnumerateArray().ToList();
        Assert.Equal(8, addresses.Count);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"{i} Concurrent Street").Order(), addresses.Select(a => a.GetProperty("line1").GetString()).Order());
        Assert.Single(addresses, a => a.GetProperty("isDefaultShipping").GetBoolean());
    }

    [Fact]
    public async Task The_contact_is_for_our_services_only_and_carries_the_preferences_and_default_address()
    {
        var owner = await RegisteredAsync("Contact Me");
        using var ownerClient = app.ClientFor(owner);
        (await ownerClient.PutAsJsonAsync("/api/users/me", new { emailPreferences = new Dictionary<string, bool> { ["order-shipped"] = false } }, Ct)).Dispose();
        (await ownerClient.PostAsJsonAsync("/api/users/me/addresses", Address("9 Default Road"), Ct)).Dispose();
        using var service = app.ClientFor(Guid.NewGuid(), role: "service");

        using var asOwner = await ownerClient.GetAsync($"/internal/users/{owner}/contact", Ct);
        using var unknown = await service.GetAsync($"/internal/users/{Guid.NewGuid()}/contact", Ct);
        var contact = await service.GetFromJsonAsync<JsonElement>($"/internal/users/{owner}/contact", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, asOwner.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Contact Me", contact.GetProperty("displayName").GetString());
        Assert.False(contact.GetProperty("emailPreferences").GetProperty("order-shipped").GetBoolean());
        Assert.True(contact.GetProperty("emailPreferences").GetProperty("order-confirmed").GetBoolean());
        Assert.Equal("9 Default Road", contact.GetProperty("defaultShippingAddress").GetProperty("line1").GetString());
    }

    [Fact]
    public async Task Each_change_of_the_contact_is_announced_with_a_higher_revision_and_other_changes_are_not()
    {
        var owner = await RegisteredAsync("Announced");
        using var ownerClient = app.ClientFor(owner);
        (await ownerClient.PutAsJsonAsync("/api/users/me", new { emailPreferences = new Dictionary<string, bool> { ["order-cancelled"] = false } }, Ct)).Dispose();
        (await ownerClient.PostAsJsonAsync("/api/users/me/addresses", Address("2 Unannounced Street"), Ct)).Dispose(); // not part of the contact
        (await ownerClient.PutAsJsonAsync("/api/users/me", new { displayName = "Announced" }, Ct)).Dispose(); // no change
        (await ownerClient.PutAsJsonAsync("/api/users/me", new { displayName = "Renamed" }, Ct)).Dispose();

        var rows = await app.QueryAsync(db => db.Set<Marketplace.Shared.Messaging.OutboxMessage>().AsNoTracking()
            .Where(m => m.MessageType.Contains(nameof(ContactChanged))).ToListAsync(Ct));
        var announced = rows.Select(r => (ContactChanged)r.Deserialize()).Where(c => c.UserId == owner).OrderBy(c => c.Revision).ToList();

        Assert.Equal([1L, 2L, 3L], announced.Select(c => c.Revision));
        Assert.True(announced[0].EmailPreferences["order-cancelled"]);
        Assert.False(announced[1].EmailPreferences["order-cancelled"]);
        Assert.Equal(("Announced", "Renamed"), (announced[1].DisplayName, announced[2].DisplayName));
        Assert.Equal($"user-{owner:N}@example.test", announced[2].Email);
        Assert.Equal(3, await app.QueryAsync(db => db.Profiles.Where(p => p.UserId == owner).Select(p => p.ContactRevision).SingleAsync(Ct)));
    }
}
