using System.Text;
using System.Text.RegularExpressions;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Identity's account mails as the SMTP sink holds them, bodies decoded.</summary>
public static partial class AccountMail
{
    /// <summary>The decoded text of each mail to <paramref name="address"/> with <paramref name="subject"/>.</summary>
    public static IReadOnlyList<string> To(MarketplaceAppFixture fixture, string address, string subject) =>
        [.. fixture.Mail()
            .Where(m => m.Contains($"Subject: {subject}", StringComparison.Ordinal)
                && Regex.IsMatch(m, $"^To: .*{Regex.Escape(address)}", RegexOptions.Multiline | RegexOptions.IgnoreCase))
            .Select(Decode)];

    /// <summary>Waits (up to a minute) until <paramref name="count"/> such mails arrived; returns the last.</summary>
    public static async Task<string> EventuallyAsync(MarketplaceAppFixture fixture, string address, string subject, CancellationToken ct, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var mails = To(fixture, address, subject);
            if (mails.Count >= count)
            {
                return mails[^1];
            }
            Assert.True(DateTime.UtcNow < deadline, $"{mails.Count} of {count} mails '{subject}' to {address} arrived; the sink holds {fixture.Mail().Count}.");
            await Task.Delay(250, ct);
        }
    }

    private static string Decode(string raw)
    {
        if (!raw.Contains("Content-Transfer-Encoding: quoted-printable", StringComparison.OrdinalIgnoreCase))
        {
            return raw;
        }
        var joined = SoftBreak().Replace(raw, "");
        var bytes = new List<byte>();
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(joined[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex("=\r?\n")]
    private static partial Regex SoftBreak();
}
