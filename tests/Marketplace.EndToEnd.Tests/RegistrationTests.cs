using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Anyone can open a shopper account at Identity; the account, its role and its announcement go together.</summary>
public sealed class RegistrationTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registered_shopper_signs_in_and_gets_a_profile()
    {
        var email = await fixture.NewShopperAsync("Riley Registrant");

        using var client = await fixture.ClientForAsync(email);
        var profile = await MarketplaceAppFixture.ProfileEventuallyAsync(client, Ct);

        Assert.Equal(email, profile.GetProperty("email").GetString());
        Assert.Equal("Riley Registrant", profile.GetProperty("displayName").GetString());
        Assert.Equal(["shopper"], profile.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("weak", "weak", "Input_Password")]
    [InlineData("Pass123$", "Pass123$-different", "Input_ConfirmPassword")]
    [InlineData("alllowercase1$", "alllowercase1$", "Input_Password")]
    public async Task A_refused_registration_names_the_field_and_opens_no_account(string password, string confirm, string field)
    {
        var email = $"refused.{Guid.NewGuid():N}@marketplace.test";

        using var response = await fixture.RegisterAsync(email, "Refused", password, confirm);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Matches($"data-valmsg-for=\"{field.Replace('_', '.')}\"[^>]*>[^<]+<", page);
        using var grant = await fixture.PasswordGrantAsync(email, password);
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
    }

    private static string NewEmail(string who) => $"{who}.{Guid.NewGuid():N}@marketplace.test";

    [Fact]
    public async Task Registering_an_e_mail_that_has_an_account_answers_as_a_new_one_and_tells_its_owner()
    {
        var owner = await fixture.NewShopperAsync("Owen Owner");

        using var fresh = await fixture.RegisterAsync(NewEmail("nina"), "Nina New", "Pass123$");
        using var again = await fixture.RegisterAsync(owner.ToUpperInvariant(), "Impostor", "Other123$x");

        Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/account/registered?returnUrl=%2Faccount", fresh.Headers.Location!.OriginalString);
        Assert.Equal(fresh.Headers.Location, again.Headers.Location);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        Assert.False(AccountForms.SignsIn(fresh));
        Assert.False(AccountForms.SignsIn(again));

        var notice = await AccountMail.EventuallyAsync(fixture, owner, "Marketplace: someone tried to register with your address", Ct);
        Assert.Contains("/account/signin", notice);
        Assert.DoesNotContain("Impostor", notice);
        using var impostor = await fixture.PasswordGrantAsync(owner, "Other123$x");
        Assert.Equal(HttpStatusCode.BadRequest, impostor.StatusCode);
        using var original = await fixture.PasswordGrantAsync(owner, "Pass123$");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
    }

    [Fact]
    public async Task A_weak_password_is_refused_alike_whether_the_e_mail_has_an_account_or_not()
    {
        using var atNew = await fixture.RegisterAsync(NewEmail("weak"), "Weak", "alllowercase1$");
        using var atExisting = await fixture.RegisterAsync("shopper2@marketplace.test", "Weak", "alllowercase1$");

        Assert.Equal(HttpStatusCode.OK, atNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, atExisting.StatusCode);
        static string Messages(string page) => string.Join("|", System.Text.RegularExpressions.Regex.Matches(page, "data-valmsg-for=\"([^\"]+)\"[^>]*>([^<]*)<").Select(m => m.Value));
        Assert.Equal(Messages(await atNew.Content.ReadAsStringAsync(Ct)), Messages(await atExisting.Content.ReadAsStringAsync(Ct)));
        Assert.Contains("Input.Password", Messages(await atExisting.Content.ReadAsStringAsync(Ct)));
    }

    [Fact]
    public async Task An_owner_gets_at_most_three_registration_notices_an_hour()
    {
        var owner = await fixture.NewShopperAsync("Nora Noticed");
        const string Subject = "Marketplace: someone tried to register with your address";

        for (var i = 0; i < 5; i++)
        {
            using var again = await fixture.RegisterAsync(owner, "Spammer", "Other123$x");
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        await AccountMail.EventuallyAsync(fixture, owner, Subject, Ct, count: 3);
        // The mails are sent in the order they were asked for: a fourth would have followed the third by now.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.Equal(3, AccountMail.To(fixture, owner, Subject).Count);
    }

    [Fact]
    public async Task A_new_account_is_sent_a_link_that_confirms_its_address_and_tokens_say_so()
    {
        var email = await fixture.NewShopperAsync("Connie Confirmer");
        Assert.False(EmailVerified(await TokenOf(email)));

        var mail = await AccountMail.EventuallyAsync(fixture, email, "Marketplace: confirm your e-mail address", Ct);
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(mail, @"http\S+/account/confirm\?userId=[0-9a-f-]+&code=[A-Za-z0-9_-]+").Value);
        Assert.Equal(fixture.App.GetEndpoint("gateway", "http").Authority, link.Authority);
        using var visitor = new AccountForms(fixture);
        var opened = await visitor.Client.GetStringAsync(link.PathAndQuery, Ct);
        Assert.Contains(">Confirm</button>", opened);
        // Opening the link (as a mail scanner would) confirms nothing; pressing the button does.
        Assert.False(EmailVerified(await TokenOf(email)));

        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        using var confirmed = await visitor.PostAsync(link.PathAndQuery, ("UserId", query["userId"]!), ("Code", query["code"]!));
        using var tampered = await visitor.PostAsync(link.PathAndQuery, ("UserId", query["userId"]!), ("Code", query["code"]![..^4] + "AAAA"));

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("data-testid=\"confirmed\"", await confirmed.Content.ReadAsStringAsync(Ct));
        Assert.True(EmailVerified(await TokenOf(email)));
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.Contains("data-testid=\"confirm-failed\"", await tampered.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Seeded_accounts_have_confirmed_addresses()
    {
        Assert.True(EmailVerified(await TokenOf("shopper@marketplace.test")));
    }

    private async Task<string> TokenOf(string email)
    {
        using var response = await fixture.PasswordGrantAsync(email, "Pass123$", "openid email");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id_token").GetString()!;
    }

    private static bool EmailVerified(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + (4 - part.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(part)).RootElement.GetProperty("email_verified").GetBoolean();
    }
}
