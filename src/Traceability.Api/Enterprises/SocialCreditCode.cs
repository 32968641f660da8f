namespace Traceability.Enterprises;

/// <summary>
/// 统一社会信用代码: the 18-character unified social credit code of GB 32100-2015. Characters come from
/// 0-9 and the capitals without I, O, Z, S, V; the last is a check character over the first 17.
/// </summary>
public static class SocialCreditCode
{
    const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Null when valid, else the rule the code breaks.</summary>
    public static string? Check(string code)
    {
        if (code.Length != 18) return "must be 18 characters (GB 32100)";
        foreach (var c in code)
            if (Alphabet.IndexOf(c, StringComparison.Ordinal) < 0)
                return $"contains '{c}', which GB 32100 does not use (digits and capitals other than I, O, Z, S, V)";
        if (!code[2..8].All(char.IsAsciiDigit)) return "characters 3-8 must be the registering authority's 6-digit division code";
        var expected = CheckCharacter(code[..17]);
        return code[17] == expected ? null : $"check character is '{code[17]}' but GB 32100 gives '{expected}'";
    }

    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        var check = 31 - sum % 31;
        return Alphabet[check == 31 ? 0 : check];
    }
}
