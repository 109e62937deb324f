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

    [Fact]
    public async Task An_e_mail_already_registered_is_refused()
    {
        using var response = await fixture.RegisterAsync("shopper@marketplace.test", "Impostor", "Other123$x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("data-valmsg-for=\"Input.Email\"[^>]*>[^<]*already taken", await response.Content.ReadAsStringAsync(Ct));
        using var original = await fixture.PasswordGrantAsync("shopper@marketplace.test", "Pass123$");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
    }
}
