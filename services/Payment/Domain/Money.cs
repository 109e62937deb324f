namespace Marketplace.Payment.Domain;

/// <summary>ISO 4217 minor units: providers take integer amounts in the currency's smallest unit.</summary>
public static class Money
{
    private static readonly HashSet<string> NoDecimals =
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly HashSet<string> ThreeDecimals = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    public static bool IsCurrencyCode(string currency) => currency.Length == 3 && currency.All(char.IsAsciiLetterUpper);

    public static int Exponent(string currency) =>
        NoDecimals.Contains(currency) ? 0 : ThreeDecimals.Contains(currency) ? 3 : 2;

    public static bool FitsMinorUnits(decimal amount, string currency)
    {
        var scaled = amount * Factor(currency);
        return scaled == decimal.Truncate(scaled) && scaled <= long.MaxValue;
    }

    public static long ToMinorUnits(decimal amount, string currency) => (long)(amount * Factor(currency));

    public static decimal FromMinorUnits(long minor, string currency) => minor / Factor(currency);

    private static decimal Factor(string currency) => Exponent(currency.ToUpperInvariant()) switch
    {
        0 => 1m,
        3 => 1000m,
        _ => 100m,
    };
}
