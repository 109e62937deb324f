using Marketplace.Identity.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Marketplace.Identity.Pages.Account;

/// <summary>Signing out directly at Identity; the apps sign out through <c>/connect/endsession</c>, which lands here afterwards.</summary>
public sealed class SignOutModel(SignInManager<MarketplaceUser> signIn, IConfiguration configuration) : PageModel
{
    public bool SignedIn => User.Identity?.IsAuthenticated == true;

    public string StorefrontUrl => configuration["Identity:StorefrontUrl"] ?? "/";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage();
    }
}
