using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Marketplace.Identity.Pages.Account;

/// <summary>Where every accepted registration lands, new address or not: the page is the same for both.</summary>
public sealed class RegisteredModel : PageModel
{
    /// <summary>Any value binds; one that is not a short local address is ignored (see <see cref="AccountPages.SafeReturnUrl"/>).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
        ReturnUrl = AccountPages.SafeReturnUrl(Url, ReturnUrl);
    }
}
