using System.Net;
using System.Text;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The sign-in and registration pages and the token endpoint, posted to through the gateway with whatever an
/// attacker might send: never a 5xx. A form that can be read and is wrong comes back with the fields' messages;
/// one that cannot be read (wrong content type, a value over the form limit, no or a wrong antiforgery token) is a 400.
/// </summary>
public sealed class AccountPagesInputTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Pages => ["/account/signin", "/account/register"];

    private static string NewEmail() => $"hostile.{Guid.NewGuid():N}@marketplace.test";

    private static async Task AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"Expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    private static async Task AssertFieldMessageAsync(HttpResponseMessage response, string field)
    {
        await AssertStatusAsync(HttpStatusCode.OK, response);
        Assert.Matches($"data-valmsg-for=\"{field}\"[^>]*>[^<]+<", await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task AssertNoAccountAsync(string email, string password = "Pass123$")
    {
        using var grant = await fixture.PasswordGrantAsync(email, password);
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_form_with_empty_fields_shows_what_is_missing(string page)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostAsync(page,
            ("Input.DisplayName", ""), ("Input.Email", ""), ("Input.Password", ""), ("Input.ConfirmPassword", ""));

        await AssertFieldMessageAsync(response, "Input.Email");
        await AssertFieldMessageAsync(response, "Input.Password");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_form_without_its_fields_is_shown_again_and_does_nothing(string page)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostAsync(page);

        await AssertStatusAsync(HttpStatusCode.OK, response);
        Assert.Contains("<form method=\"post\"", await response.Content.ReadAsStringAsync(Ct));
        Assert.False(AccountForms.SignsIn(response));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_form_without_an_antiforgery_token_is_a_400(string page)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostRawAsync(page, "Input.Email=shopper%40marketplace.test&Input.Password=Pass123%24", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(AccountForms.SignsIn(response));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_form_with_a_wrong_or_foreign_antiforgery_token_is_a_400(string page)
    {
        using var visitor = new AccountForms(fixture);
        using var other = new AccountForms(fixture);
        var othersToken = await other.TokenAsync(page);

        using var forged = await visitor.PostRawAsync(page, "__RequestVerificationToken=CfDJ8forged&Input.Email=a%40b.test&Input.Password=x", "application/x-www-form-urlencoded");
        using var foreign = await visitor.PostRawAsync(page, $"__RequestVerificationToken={Uri.EscapeDataString(othersToken)}&Input.Email=a%40b.test&Input.Password=x", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    [Theory]
    [InlineData("/account/signin", "application/json")]
    [InlineData("/account/signin", "text/plain")]
    [InlineData("/account/signin", "multipart/form-data")]
    [InlineData("/account/register", "application/json")]
    [InlineData("/account/register", "multipart/form-data; boundary=\"never-closed\"")]
    [InlineData("/account/register", "application/x-www-form-urlencoded; charset=no-such-charset")]
    public async Task A_post_that_is_not_a_readable_form_is_a_400(string page, string contentType)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostRawAsync(page, """{"Input.Email":"shopper@marketplace.test","Input.Password":"Pass123$"}""", contentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_megabyte_field_is_refused_and_opens_nothing(string page)
    {
        using var visitor = new AccountForms(fixture);
        var email = NewEmail();

        using var response = await visitor.PostAsync(page,
            ("Input.DisplayName", new string('n', 1024 * 1024)), ("Input.Email", email),
            ("Input.Password", "Pass123$"), ("Input.ConfirmPassword", "Pass123$"));

        // The gateway takes bodies up to 1 MB (413 beyond); Identity reads no form value over 16 KB (400).
        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{response.StatusCode}");
        await AssertNoAccountAsync(email);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_hundred_thousand_character_e_mail_is_a_400(string page)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostAsync(page,
            ("Input.DisplayName", "Long"), ("Input.Email", new string('a', 100_000) + "@marketplace.test"),
            ("Input.Password", "Pass123$"), ("Input.ConfirmPassword", "Pass123$"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Values_over_the_fields_maximum_lengths_are_named(string page)
    {
        using var visitor = new AccountForms(fixture);

        using var response = await visitor.PostAsync(page,
            ("Input.DisplayName", new string('n', 101)), ("Input.Email", new string('a', 1000) + "@marketplace.test"),
            ("Input.Password", new string('P', 129) + "a1$"), ("Input.ConfirmPassword", new string('P', 129) + "a1$"));

        await AssertFieldMessageAsync(response, "Input.Email");
        await AssertFieldMessageAsync(response, "Input.Password");
        if (page == "/account/register")
        {
            await AssertFieldMessageAsync(response, "Input.DisplayName");
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_nul_anywhere_in_the_form_is_a_400(string page)
    {
        using var visitor = new AccountForms(fixture);
        var email = NewEmail();
        var token = Uri.EscapeDataString(await visitor.TokenAsync(page));

        using var response = await visitor.Client.PostAsync(page, new StringContent(
            $"__RequestVerificationToken={token}&Input.DisplayName=Name%00&Input.Email={Uri.EscapeDataString(email)}%00" +
            "&Input.Password=Pass123%24&Input.ConfirmPassword=Pass123%24", Encoding.ASCII, "application/x-www-form-urlencoded"), Ct);

        await AssertStatusAsync(HttpStatusCode.BadRequest, response);
        await AssertNoAccountAsync(email);
    }

    [Theory]
    [InlineData("%07")]
    [InlineData("%0D%0ABcc%3A%20victim%40example.test")]
    [InlineData("%1B%5B2J")]
    public async Task Control_characters_in_the_e_mail_or_name_are_refused_by_field(string encoded)
    {
        using var visitor = new AccountForms(fixture);
        var email = NewEmail();
        var token = Uri.EscapeDataString(await visitor.TokenAsync("/account/register"));

        using var response = await visitor.Client.PostAsync("/account/register", new StringContent(
            $"__RequestVerificationToken={token}&Input.DisplayName=Name{encoded}&Input.Email={Uri.EscapeDataString(email)}{encoded}" +
            "&Input.Password=Pass123%24&Input.ConfirmPassword=Pass123%24", Encoding.ASCII, "application/x-www-form-urlencoded"), Ct);

        await AssertFieldMessageAsync(response, "Input.Email");
        await AssertFieldMessageAsync(response, "Input.DisplayName");
        await AssertNoAccountAsync(email);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Invalid_utf8_and_lone_surrogate_escapes_get_an_answer_not_a_failure(string page)
    {
        using var visitor = new AccountForms(fixture);
        var token = Uri.EscapeDataString(await visitor.TokenAsync(page));

        // %ED%A0%80 is a lone high surrogate in (invalid) UTF-8; %C0%AF an overlong slash; %uD800 the old IIS escape.
        using var response = await visitor.Client.PostAsync(page, new StringContent(
            $"__RequestVerificationToken={token}&Input.DisplayName=%ED%A0%80%uD800&Input.Email=a%ED%A0%80b%C0%AF%40marketplace.test" +
            "&Input.Password=Pass123%ED%A0%80&Input.ConfirmPassword=Pass123%ED%A0%80", Encoding.ASCII, "application/x-www-form-urlencoded"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (page == "/account/register")
        {
            // Such an address could never be anyone's account name.
            await AssertFieldMessageAsync(response, "Input.Email");
        }
        else
        {
            Assert.Equal("The e-mail or password is wrong.", await AccountForms.SignInPageMessageAsync(response));
        }
    }

    [Fact]
    public async Task Markup_in_the_fields_is_shown_as_text_never_run()
    {
        using var visitor = new AccountForms(fixture);
        const string Script = "<script>alert(1)</script>";

        using var response = await visitor.PostAsync("/account/signin",
            ("Input.Email", $"\"{Script}\"@marketplace.test"), ("Input.Password", Script), ("ReturnUrl", "javascript:alert(1)"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(Script, page);
        Assert.Contains("The e-mail or password is wrong.", page);
    }

    [Fact]
    public async Task A_registration_with_markup_in_the_name_keeps_the_name_as_text()
    {
        var email = NewEmail();
        const string Name = "<img src=x onerror=alert(1)> O'Brien & Co";

        using var registered = await fixture.RegisterAsync(email, Name, "Pass123$");
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);

        using var client = await fixture.ClientForAsync(email);
        var profile = await MarketplaceAppFixture.ProfileEventuallyAsync(client, Ct);
        Assert.Equal(Name, profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task An_overlong_or_foreign_return_address_is_not_followed()
    {
        using var visitor = new AccountForms(fixture);

        using var overlong = await visitor.PostAsync("/account/signin?returnUrl=" + Uri.EscapeDataString("/" + new string('x', 5000)),
            ("Input.Email", "shopper@marketplace.test"), ("Input.Password", "Pass123$"));
        using var foreign = await visitor.PostAsync("/account/signin?returnUrl=" + Uri.EscapeDataString("//evil.example/x"),
            ("Input.Email", "shopper@marketplace.test"), ("Input.Password", "Pass123$"));

        Assert.Equal(HttpStatusCode.Redirect, overlong.StatusCode);
        Assert.Equal("/account", overlong.Headers.Location!.OriginalString);
        Assert.Equal("/account", foreign.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/account/confirm?userId=not-a-guid&code=%21%21")]
    [InlineData("/account/confirm?userId=00000000-0000-0000-0000-000000000000&code=!!!")]
    [InlineData("/account/registered?returnUrl=https%3A%2F%2Fevil.example%2F")]
    public async Task Account_pages_opened_with_garbage_in_the_query_answer_normally(string path)
    {
        using var gateway = fixture.CreateClientWithoutRedirects("gateway");

        using var response = await gateway.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("shopper%00%40marketplace.test", "Pass123%24")]
    [InlineData("%ED%A0%80%40marketplace.test", "%ED%A0%80")]
    [InlineData("", "")]
    public async Task The_password_grant_with_hostile_credentials_is_a_400(string username, string password)
    {
        using var gateway = fixture.CreateRawClient("gateway");

        using var response = await gateway.PostAsync("/connect/token", new StringContent(
            $"grant_type=password&client_id=marketplace-dev&scope=openid&username={username}&password={password}",
            Encoding.ASCII, "application/x-www-form-urlencoded"), Ct);

        await AssertStatusAsync(HttpStatusCode.BadRequest, response);
        // An OAuth error when the form could be read, a problem when it could not.
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(body.TryGetProperty("error", out _) || response.Content.Headers.ContentType?.MediaType == "application/problem+json", body.ToString());
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task The_token_endpoint_refuses_oversized_fields_with_a_4xx()
    {
        using var gateway = fixture.CreateRawClient("gateway");

        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["scope"] = "openid",
            ["username"] = new string('u', 1024 * 1024), ["password"] = "Pass123$",
        }), Ct);
        using var overForm = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["scope"] = "openid",
            ["username"] = new string('u', 100_000), ["password"] = "Pass123$",
        }), Ct);

        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{response.StatusCode}");
        await AssertStatusAsync(HttpStatusCode.BadRequest, overForm);
    }
}
