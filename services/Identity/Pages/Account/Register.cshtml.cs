using System.ComponentModel.DataAnnotations;
using Marketplace.Identity.Application;
using Marketplace.Identity.Data;
using Marketplace.Identity.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Marketplace.Identity.Pages.Account;

/// <summary>
/// Anyone may open a shopper account; merchant and admin accounts are made by an admin. Whether the
/// address already had an account or not, a registration that passes the checks ends on the same
/// "check your e-mail" page, and nobody is signed in by it.
/// </summary>
public sealed class RegisterModel(Accounts accounts) : PageModel
{
    /// <summary>Any value binds; one that is not a short local address is ignored (see <see cref="AccountPages.SafeReturnUrl"/>).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await accounts.RegisterShopperAsync(Input.Email!.Trim(), Input.DisplayName!.Trim(), Input.Password!, ct);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(FieldOf(error.Code), error.Description);
            }
            return Page();
        }
        return RedirectToPage("./Registered", new { returnUrl = AccountPages.SafeReturnUrl(Url, ReturnUrl) });
    }

    private static string FieldOf(string code) => code switch
    {
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "Input.Password",
        "InvalidEmail" or "InvalidUserName" => "Input.Email",
        _ => "",
    };

    public sealed class RegisterInput
    {
        [Required(ErrorMessage = "Tell us your name.")]
        [StringLength(100, MinimumLength = 1, ErrorMessage = "Your name can be at most 100 characters.")]
        [PlainText]
        public string? DisplayName { get; set; }

        [Required(ErrorMessage = "Enter your e-mail address.")]
        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [StringLength(256, ErrorMessage = "An e-mail address can be at most 256 characters.")]
        [PlainText]
        public string? Email { get; set; }

        [Required(ErrorMessage = "Choose a password.")]
        [StringLength(128, MinimumLength = 8, ErrorMessage = "The password must be 8 to 128 characters.")]
        public string? Password { get; set; }

        [Required(ErrorMessage = "Repeat the password.")]
        [StringLength(128, ErrorMessage = "The password must be 8 to 128 characters.")]
        [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
        public string? ConfirmPassword { get; set; }
    }
}
