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
        IdentifierKind.BatteryCode => !BatteryCode().IsMatch(value)
            ? "must be a 24-character GB/T 34014 battery code: manufacturer (3), product type P/M/C, battery type A-G or Z, specification (2), traceability (7), production date (year, month 1-9/A-C, day 1-9/A-V), serial (7); digits and capitals"
            : CheckProductionDate(value),
        _ => "kind must be vin or battery-code",
    };

    const string VinAlphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
    static readonly int[] VinWeights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

    /// <summary>GB 16735 (ISO 3779): 17 characters without I, O, Q; Chinese VINs carry a check digit in position 9.</summary>
    static string? CheckVin(string vin)
    {
        if (vin.Length != 17) return "a VIN must be 17 characters (GB 16735)";
        if (vin.Any(c => VinAlphabet.IndexOf(c, StringComparison.Ordinal) < 0)) return "a VIN uses digits and capitals other than I, O, Q";
        if (YearOf(vin[9]) is null) return $"VIN model-year character (position 10) is '{vin[9]}', which GB 16735 does not use (not I, O, Q, U, Z or 0)";
        var expected = VinCheckDigit(vin);
        return vin[8] == expected ? null : $"VIN check digit (position 9) is '{vin[8]}' but GB 16735 gives '{expected}'";
    }

    /// <summary>
    /// The year codes of GB 16735 (VIN position 10), which GB/T 34014 uses for a battery's production year:
    /// a 30-year cycle from A = 2010 that skips I, O, Q, U, Z and 0. Codes are read in the cycle 2010-2039.
    /// </summary>
    const string YearCodes = "ABCDEFGHJKLMNPRSTVWXY123456789";

    public static int? YearOf(char code) => YearCodes.IndexOf(code, StringComparison.Ordinal) is >= 0 and var i ? 2010 + i : null;

    /// <summary>The production date in positions 15-17 (year, month 1-9 A-C, day 1-9 A-V) as a calendar date, or null when no such day exists.</summary>
    public static NodaTime.LocalDate? ProductionDateOf(string code)
    {
        if (code.Length != 24 || YearOf(code[14]) is not { } year) return null;
        var month = code[15] is >= '1' and <= '9' ? code[15] - '0' : code[15] - 'A' + 10;
        var day = code[16] is >= '1' and <= '9' ? code[16] - '0' : code[16] - 'A' + 10;
        if (month is < 1 or > 12 || day < 1 || day > System.Globalization.CultureInfo.InvariantCulture.Calendar.GetDaysInMonth(year, month)) return null;
        return new NodaTime.LocalDate(year, month, day);
    }

    static string? CheckProductionDate(string code) =>
        ProductionDateOf(code) is null
            ? $"production date code '{code[14..17]}' (positions 15-17) names no calendar day: year code {code[14]} is {(YearOf(code[14]) is { } y ? y.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not a GB/T 34014 year code")}, month {code[15]}, day {code[16]}"
            : null;

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
