namespace Marketplace.Shared.Mail;

/// <summary>
/// Where e-mail goes: <c>ConnectionStrings:smtp</c> as <c>smtp://host:port</c> (MailPit, aiosmtpd: plain,
/// no authentication) or <c>smtps://user:password@host:port</c> for a relay that wants TLS and a login.
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, bool UseTls = false, string? UserName = null, string? Password = null)
{
    public static SmtpEndpoint Parse(string connectionString)
    {
        var uri = new Uri(connectionString.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase)
            ? connectionString["Endpoint=".Length..]
            : connectionString);
        var useTls = uri.Scheme.Equals("smtps", StringComparison.OrdinalIgnoreCase);
        var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        return new SmtpEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (useTls ? 465 : 25) : uri.Port, useTls,
            credentials is [{ Length: > 0 } user, var password] ? user : null,
            credentials is [{ Length: > 0 }, var secret] ? secret : null);
    }
}
