using System.Security.Claims;
using Marketplace.Search.Api;

namespace Marketplace.Search.Tests;

/// <summary>Who may make a search skip the remembered answers (<c>Cache-Control: no-cache</c>): signed-in admins and merchants only.</summary>
public sealed class FreshSearchTests
{
    private static ClaimsPrincipal Signed(params Claim[] claims) => new(new ClaimsIdentity(claims, "Bearer", "sub", "role"));

    [Fact]
    public void Anonymous_callers_and_shoppers_cannot_force_a_search_afresh()
    {
        Assert.False(SearchEndpoints.MayAskFresh(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.False(SearchEndpoints.MayAskFresh(Signed(new Claim("sub", Guid.NewGuid().ToString()), new Claim("role", "shopper"))));
        // A role claim on an unauthenticated identity counts for nothing.
        Assert.False(SearchEndpoints.MayAskFresh(new ClaimsPrincipal(new ClaimsIdentity([new Claim("role", "admin")], null, "sub", "role"))));
    }

    [Fact]
    public void Signed_in_admins_and_merchants_may_force_a_search_afresh()
    {
        Assert.True(SearchEndpoints.MayAskFresh(Signed(new Claim("role", "admin"))));
        Assert.True(SearchEndpoints.MayAskFresh(Signed(new Claim("role", "merchant"), new Claim("merchant_id", Guid.NewGuid().ToString()))));
    }
}
