using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Wrong passwords slow down the address they come from, per account and in all, and never lock the account:
/// its owner elsewhere signs in as before. Each test plays its clients from its own documentation addresses
/// (203.0.113.0/24, 2001:db8::/32), told to Identity the way the gateway tells it, so no other test's client is slowed.
/// </summary>
public sealed class SignInThrottlingTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GrantFromAsync(string clientAddress, string user, string password)
    {
        using var identity = fixture.CreateRawClient("identity");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["scope"] = "openid",
                ["username"] = user, ["password"] = password,
            }),
        };
        fixture.ActFor(request.Headers, clientAddress);
        return await identity.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Five_wrong_passwords_slow_down_that_address_for_that_account_and_lock_nobody_out()
    {
        var victim = await fixture.NewShopperAsync("Tess Throttled");
        const string attacker = "203.0.113.10";
        const string owner = "2001:db8:1:2::7";

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await GrantFromAsync(attacker, victim, $"Wrong{i}pass$");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using var refused = await GrantFromAsync(attacker, victim, "Pass123$");
        using var ownerElsewhere = await GrantFromAsync(owner, victim, "Pass123$");
        using var attackerAtAnotherAccount = await GrantFromAsync(attacker, "shopper2@marketplace.test", "Pass123$");

        // Refused before the password is looked at, even the right one: from there, guessing has stopped.
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.Contains("Try again in", problem.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, ownerElsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, attackerAtAnotherAccount.StatusCode);
    }

    [Fact]
    public async Task A_right_password_empties_the_accounts_count_at_that_address()
    {
        var shopper = await fixture.NewShopperAsync("Fay Fumbler");
        const string home = "203.0.113.11";

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                using var wrong = await GrantFromAsync(home, shopper, "Typo123$x");
                Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            }
            using var right = await GrantFromAsync(home, shopper, "Pass123$");
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }
    }

    [Fact]
    public async Task An_address_guessing_at_many_accounts_is_slowed_at_all_of_them()
    {
        const string attacker = "203.0.113.12";
        const string elsewhere = "2001:db8:9::1";
        // A hundred failures per address per window: each at a different (made-up) account, so only the address limit counts.
        await Parallel.ForAsync(0, 100, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, _) =>
        {
            using var wrong = await GrantFromAsync(attacker, $"nobody.{i}.{Guid.NewGuid():N}@marketplace.test", "Guess123$");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        });

        using var refused = await GrantFromAsync(attacker, "shopper2@marketplace.test", "Pass123$");
        using var other = await GrantFromAsync(elsewhere, "shopper2@marketplace.test", "Pass123$");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_says_when_to_try_again_and_the_owner_elsewhere_signs_in()
    {
        var victim = await fixture.NewShopperAsync("Paige Pounded");
        using var attacker = new AccountForms(fixture, "203.0.113.13");
        using var owner = new AccountForms(fixture, "2001:db8:42::1");

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await attacker.PostAsync("/account/signin", ("Input.Email", victim), ("Input.Password", $"Wrong{i}pass$"));
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Equal("The e-mail or password is wrong.", await AccountForms.SignInPageMessageAsync(wrong));
        }
        using var refused = await attacker.PostAsync("/account/signin", ("Input.Email", victim), ("Input.Password", "Pass123$"));
        using var signedIn = await owner.PostAsync("/account/signin", ("Input.Email", victim), ("Input.Password", "Pass123$"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Matches("^Too many failed sign-in attempts from your network. Try again in [0-9]+ seconds.$", await AccountForms.SignInPageMessageAsync(refused));
        Assert.False(AccountForms.SignsIn(refused));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.True(AccountForms.SignsIn(signedIn));
    }
}
