using System.ComponentModel.DataAnnotations;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Marketplace.Identity.Pages.Account;

/// <summary>Anyone may open a shopper account; merchant and admin accounts are made by an admin.</summary>
public sealed class RegisterModel(Accounts accounts, SignInManager<MarketplaceUser> signIn) : PageModel
{
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
        var (result, user) = await accounts.OpenAsync(Input.Email!.Trim(), Input.DisplayName!.Trim(), Input.Password!, Roles.Shopper, null, ct);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(FieldOf(error.Code), error.Description);
            }
            return Page();
        }
        await signIn.SignInAsync(user!, isPersistent: false);
        return LocalRedirect(AccountPages.SafeReturnUrl(Url, ReturnUrl));
    }

    private static string FieldOf(string code) => code switch
    {
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "Input.Password",
        "DuplicateEmail" or "DuplicateUserName" or "InvalidEmail" or "InvalidUserName" => "Input.Email",
        _ => "",
    };

    public sealed class RegisterInput
    {
        [Required(ErrorMessage = "Tell us your name.")]
        [StringLength(100, MinimumLength = 1, ErrorMessage = "Your name can be at most 100 characters.")]
        public string? DisplayName { get; set; }

        [Required(ErrorMessage = "Enter your e-mail address.")]
        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [StringLength(256)]
        public string? Email { get; set; }

        [Required(ErrorMessage = "Choose a password.")]
        [StringLength(128, MinimumLength = 8, ErrorMessage = "The password must be 8 to 128 characters.")]
        public string? Password { get; set; }

        [Required(ErrorMessage = "Repeat the password.")]
        [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
        public string? ConfirmPassword { get; set; }
    }
}
