using System.ComponentModel.DataAnnotations;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Marketplace.Identity.Pages.Account;

public sealed class SignInModel(SignInManager<MarketplaceUser> signIn, PasswordCheck passwords, SignInThrottle throttle) : PageModel
{
    /// <summary>Any value binds; one that is not a short local address is ignored (see <see cref="AccountPages.SafeReturnUrl"/>).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public SignInInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var address = HttpContext.Connection.RemoteIpAddress;
        if (await throttle.AdmitAsync(Input.Email!, address) is { } wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = TooManyAttempts.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
            ModelState.AddModelError("", TooManyAttempts.Message(wait));
            return Page();
        }
        var user = await passwords.CheckAsync(Input.Email!, Input.Password!);
        if (user is null)
        {
            ModelState.AddModelError("", "The e-mail or password is wrong.");
            return Page();
        }
        await throttle.SucceededAsync(Input.Email!, address);
        await signIn.SignInAsync(user, Input.RememberMe);
        return LocalRedirect(AccountPages.SafeReturnUrl(Url, ReturnUrl));
    }

    public sealed class SignInInput
    {
        [Required(ErrorMessage = "Enter your e-mail address.")]
        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [StringLength(256, ErrorMessage = "An e-mail address has at most 256 characters.")]
        [PlainText]
        public string? Email { get; set; }

        [Required(ErrorMessage = "Enter your password.")]
        [StringLength(128, ErrorMessage = "A password has at most 128 characters.")]
        public string? Password { get; set; }

        public bool RememberMe { get; set; }
    }
}
