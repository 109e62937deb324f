using System.ComponentModel.DataAnnotations;

namespace Marketplace.Identity.Security;

public static class PlainText
{
    /// <summary>No control characters (NUL, line breaks, escapes) and no half of a surrogate pair: text a person could have typed.</summary>
    public static bool IsPlain(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Refuses what <see cref="PlainText.IsPlain"/> refuses; an empty value is left to [Required].</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PlainTextAttribute() : ValidationAttribute("Use only characters you can type: no control characters.")
{
    public override bool IsValid(object? value) => value is not string text || PlainText.IsPlain(text);
}
