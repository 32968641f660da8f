using System.Text.RegularExpressions;
using Traceability.ReferenceData;

namespace Traceability.Batches;

/// <summary>The identity a unit carries: a vehicle's VIN or a battery's code.</summary>
public sealed partial record UnitIdentifier(IdentifierKind Kind, string Value)
{
    /// <summary>Null when the identifier is well formed, else the rule it breaks.</summary>
    public static string? Check(IdentifierKind kind, string value) => kind switch
    {
        IdentifierKind.Vin => CheckVin(value),
        IdentifierKind.BatteryCode => BatteryCode().IsMatch(value)
            ? null
            : "must be a 24-character GB/T 34014 battery code: manufacturer (3), product type P/M/C, battery type A-G or Z, specification (2), traceability (7), production date (year, month 1-9/A-C, day 1-9/A-V), serial (7); digits and capitals",
        _ => "kind must be vin or battery-code",
    };

    const string VinAlphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
    static readonly int[] VinWeights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

    /// <summary>GB 16735 (ISO 3779): 17 characters without I, O, Q; Chinese VINs carry a check digit in position 9.</summary>
    static string? CheckVin(string vin)
    {
        if (vin.Length != 17) return "a VIN must be 17 characters (GB 16735)";
        if (vin.Any(c => VinAlphabet.IndexOf(c, StringComparison.Ordinal) < 0)) return "a VIN uses digits and capitals other than I, O, Q";
        var expected = VinCheckDigit(vin);
        return vin[8] == expected ? null : $"VIN check digit (position 9) is '{vin[8]}' but GB 16735 gives '{expected}'";
    }

    public static char VinCheckDigit(string vin)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += VinValue(vin[i]) * VinWeights[i];
        var remainder = sum % 11;
        return remainder == 10 ? 'X' : (char)('0' + remainder);
    }

    static int VinValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        'A' or 'J' => 1, 'B' or 'K' or 'S' => 2, 'C' or 'L' or 'T' => 3, 'D' or 'M' or 'U' => 4,
        'E' or 'N' or 'V' => 5, 'F' or 'W' => 6, 'G' or 'P' or 'X' => 7, 'H' or 'Y' => 8, 'R' or 'Z' => 9,
        _ => 0,
    };

    [GeneratedRegex("^[0-9A-Z]{3}[PMC][A-GZ][0-9A-Z]{2}[0-9A-Z]{7}[0-9A-Z][1-9A-C][1-9A-V][0-9A-Z]{7}$")]
    private static partial Regex BatteryCode();
}
