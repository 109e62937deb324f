using Marketplace.Shared.Mail;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Marketplace.Identity.Mail;

public enum AccountMailKind
{
    /// <summary>A new account's address: follow the link to confirm it.</summary>
    ConfirmAddress,

    /// <summary>Someone tried to register an address that already has an account: its owner is told.</summary>
    RegistrationAttempt,
}

/// <summary>
/// Written to Identity's outbox in the registration's transaction and handled by Identity itself, so a
/// mail is sent when (and only when) the registration committed, and an SMTP outage is retried, not lost.
/// It carries no address and no token: the handler reads the account, and makes a confirmation token then.
/// </summary>
public sealed record AccountMailRequested(Guid UserId, AccountMailKind Kind);

public sealed class AccountMailOptions
{
    public string From { get; set; } = "Marketplace <no-reply@marketplace.test>";

    /// <summary>The origin the links in the mails point at; defaults to <c>Identity:Issuer</c> (the public gateway).</summary>
    public string? PublicOrigin { get; set; }

    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Sends the account mails. A failed send throws, so the message is retried and finally lands in the
/// error queue; an account that no longer exists, or an address confirmed meanwhile, is skipped by rule.
/// Nothing the registrant typed other than the address is put in a mail (no display name), so the
/// mails cannot carry someone else's text to the address's owner.
/// </summary>
public sealed class AccountMailConsumer(
    AccountsDbContext db,
    UserManager<MarketplaceUser> users,
    SmtpEndpoint smtp,
    IOptions<AccountMailOptions> options,
    IConfiguration configuration,
    ILogger<AccountMailConsumer> logger) : IdempotentConsumer<AccountMailRequested, AccountsDbContext>(db, logger)
{
    private readonly AccountMailOptions _options = options.Value;

    protected override async Task HandleAsync(AccountMailRequested message, ConsumeContext<AccountMailRequested> context, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(message.UserId.ToString());
        if (user?.Email is not { Length: > 0 } email)
        {
            Logger.LogWarning("Account mail {MessageId}: account {UserId} does not exist; nothing sent", context.MessageId, message.UserId);
            return;
        }
        var origin = (_options.PublicOrigin ?? configuration["Identity:Issuer"])?.TrimEnd('/')
            ?? throw new InvalidOperationException("Identity:Mail:PublicOrigin (or Identity:Issuer) is required to put links in account mails.");

        MimeMessage mail;
        switch (message.Kind)
        {
            case AccountMailKind.ConfirmAddress when user.EmailConfirmed:
                Logger.LogInformation("Account mail {MessageId}: {UserId} is confirmed already; nothing sent", context.MessageId, user.Id);
                return;
            case AccountMailKind.ConfirmAddress:
                var token = await users.GenerateEmailConfirmationTokenAsync(user);
                var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
                var link = $"{origin}/account/confirm?userId={user.Id}&code={code}";
                mail = Compose(email, "Marketplace: confirm your e-mail address", $"""
                    Someone, probably you, opened a Marketplace account with this e-mail address.

                    To confirm that the address is yours, open this link and press "Confirm":
                    {link}

                    The link works for one day. If you did not open an account, ignore this message:
                    nothing is confirmed unless the button is pressed.
                    """);
                break;
            case AccountMailKind.RegistrationAttempt:
                mail = Compose(email, "Marketplace: someone tried to register with your address", $"""
                    Someone tried to open a new Marketplace account with this e-mail address, which
                    already has an account. No new account was opened and yours is unchanged.

                    If it was you, sign in with your existing account instead:
                    {origin}/account/signin

                    If it was not you, you need to do nothing.
                    """);
                break;
            default:
                Logger.LogWarning("Account mail {MessageId}: unknown kind {Kind}; nothing sent", context.MessageId, message.Kind);
                return;
        }
        mail.MessageId = $"{context.MessageId}@identity.marketplace";
        await SendAsync(mail, ct);
        Logger.LogInformation("Account mail {MessageId} ({Kind}) sent for {UserId}", context.MessageId, message.Kind, user.Id);
    }

    private MimeMessage Compose(string to, string subject, string text)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.From.Add(MailboxAddress.Parse(_options.From));
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }

    private async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = (int)_options.SmtpTimeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, ct);
        if (smtp.UserName is not null)
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}

public static class AccountMailExtensions
{
    public static IHostApplicationBuilder AddAccountMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountMailOptions>().BindConfiguration("Identity:Mail");
        builder.Services.AddSingleton(sp => SmtpEndpoint.Parse(
            sp.GetRequiredService<IConfiguration>().GetConnectionString("smtp")
            ?? throw new InvalidOperationException("Connection string 'smtp' is missing: the AppHost provides it with WithReference(smtp).")));
        return builder;
    }
}
