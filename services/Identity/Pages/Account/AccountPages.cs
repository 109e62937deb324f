using Microsoft.AspNetCore.Mvc;

namespace Marketplace.Identity.Pages.Account;

public static class AccountPages
{
    /// <summary>Longest return address accepted (an authorization request with its PKCE challenge, state and nonce fits many times over).</summary>
    public const int MaxReturnUrlLength = 4096;

    /// <summary>Only a local address (e.g. back to <c>/connect/authorize?...</c>); anything else goes to the account page.</summary>
    public static string SafeReturnUrl(IUrlHelper url, string? returnUrl) =>
        returnUrl is { Length: > 0 and <= MaxReturnUrlLength } && url.IsLocalUrl(returnUrl) ? returnUrl : "/account";
}
