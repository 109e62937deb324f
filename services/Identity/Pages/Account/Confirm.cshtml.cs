using System.ComponentModel.DataAnnotations;
using System.Text;
using Marketplace.Identity.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Marketplace.Identity.Pages.Account;

/// <summary>
/// The link in the confirmation mail. Opening it only shows a button; the address is confirmed by the
/// press (a POST), so a mail scanner that fetches links confirms nothing for whoever registered the address.
/// </summary>
public sealed class ConfirmModel(UserManager<MarketplaceUser> users) : PageModel
{
    public enum Outcome { Ready, Confirmed, Invalid }

    [BindProperty(SupportsGet = true)]
    [StringLength(64)]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(2048)]
    public string? Code { get; set; }

    public Outcome State { get; private set; }

    public void OnGet()
    {
        State = ModelState.IsValid && Guid.TryParse(UserId, out _) && Decode(Code) is not null ? Outcome.Ready : Outcome.Invalid;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        State = Outcome.Invalid;
        if (ModelState.IsValid && Guid.TryParse(UserId, out var id) && Decode(Code) is { } token
            && await users.FindByIdAsync(id.ToString()) is { } user)
        {
            var result = await users.ConfirmEmailAsync(user, token);
            State = result.Succeeded ? Outcome.Confirmed : Outcome.Invalid;
        }
        if (State == Outcome.Invalid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    private static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
