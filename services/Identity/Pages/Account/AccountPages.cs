using Microsoft.AspNetCore.Mvc;

namespace Marketplace.Identity.Pages.Account;

public static class AccountPages
{
    /// <summary>Only a local address (e.g. back to <c>/connect/authorize?...</c>); anything else goes to the account page.</summary>
    public static string SafeReturnUrl(IUrlHelper url, string? returnUrl) =>
        returnUrl is { Length: > 0 } && url.IsLocalUrl(returnUrl) ? returnUrl : "/account";
}
