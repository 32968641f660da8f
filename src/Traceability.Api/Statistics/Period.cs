using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;

namespace Traceability.Statistics;

/// <summary>A calendar month, quarter or year in China Standard Time, as months "yyyy-MM" from and to (inclusive).</summary>
public sealed partial record Period(string Name, string FromMonth, string ToMonth, int Months)
{
    public static Period? Parse(string? text)
    {
        if (text is null) return null;
        var m = Shape().Match(text);
        if (!m.Success) return null;
        var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        if (year is < 2000 or > 2099) return null;
        if (m.Groups["q"].Success)
        {
            var q = int.Parse(m.Groups["q"].Value, CultureInfo.InvariantCulture);
            return new(text, $"{year:D4}-{(q - 1) * 3 + 1:D2}", $"{year:D4}-{q * 3:D2}", 3);
        }
        if (m.Groups["m"].Success)
        {
            var month = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
            return month is < 1 or > 12 ? null : new(text, $"{year:D4}-{month:D2}", $"{year:D4}-{month:D2}", 1);
        }
        return new(text, $"{year:D4}-01", $"{year:D4}-12", 12);
    }

    public int Year => int.Parse(FromMonth[..4], CultureInfo.InvariantCulture);

    /// <summary>The same period a year earlier (2025-Q2 for 2026-Q2), for targets that compare with it; null before 2000.</summary>
    public Period? YearEarlier() => Parse(Year - 1 >= 2000 ? $"{Year - 1:D4}{Name[4..]}" : null);

    /// <summary>The last day of the period (China date).</summary>
    public LocalDate LastDay
    {
        get
        {
            var year = int.Parse(ToMonth[..4], CultureInfo.InvariantCulture);
            var month = int.Parse(ToMonth[5..], CultureInfo.InvariantCulture);
            return new LocalDate(year, month, 1).PlusMonths(1).PlusDays(-1);
        }
    }

    public const string Rule = "a year (2025), a quarter (2025-Q2) or a month (2025-04) of 2000 to 2099, in China Standard Time";

    [GeneratedRegex("^(?<y>[0-9]{4})(?:-Q(?<q>[1-4])|-(?<m>[0-9]{2}))?$")]
    private static partial Regex Shape();
}
