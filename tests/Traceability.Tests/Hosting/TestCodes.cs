using Traceability.Batches;
using Traceability.Enterprises;

namespace Traceability.Tests.Hosting;

/// <summary>Valid identifiers made fresh for each test, so no test depends on another's data.</summary>
public static class TestCodes
{
    const string CodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    public static string SocialCreditCode(string city)
    {
        var tail = string.Concat(Enumerable.Range(0, 9).Select(_ => CodeAlphabet[Random.Shared.Next(CodeAlphabet.Length)]));
        var first17 = $"91{city}{tail}";
        return first17 + Traceability.Enterprises.SocialCreditCode.CheckCharacter(first17);
    }

    public static string Vin()
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
        var chars = Enumerable.Range(0, 17).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]).ToArray();
        chars[8] = '0';
        chars[9] = 'S'; // model year 2025
        chars[8] = UnitIdentifier.VinCheckDigit(new string(chars));
        return new string(chars);
    }

    /// <summary>The 8-digit National Hazardous Waste List code a test batch of a hazardous category carries; null for other categories.</summary>
    public static string? WasteCodeOf(string category) => category switch
    {
        "hw01" => "841-001-01",
        "hw08" => "900-249-08",
        "hw18" => "772-002-18",
        "hw31" => "900-052-31",
        "hw49" => "900-041-49",
        "hw50" => "900-049-50",
        "pesticide-packaging" => "900-003-04",
        ['h', 'w', _, _] => $"900-000-{category[2..]}",
        _ => null,
    };

    /// <summary>A GB/T 34014 code: manufacturer, product type (P pack, M module, C cell), ternary (E), spec, traceability, date N3F = 2022-03-15 (year code N is 2022, as in a VIN), serial.</summary>
    public static string BatteryCode(char productType = 'P') => $"0CA{productType}E01{Random.Shared.Next(1_000_000, 9_999_999)}N3F{Random.Shared.Next(1_000_000, 9_999_999)}";
}
