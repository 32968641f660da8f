using NodaTime;

namespace Traceability.ReferenceData;

/// <summary>
/// Chinese working days (工作日) from seeds/holidays.json: Monday to Friday, less public holidays, plus the weekend
/// days the State Council makes working days (调休). Deadlines "in working days" are counted on it.
/// </summary>
public sealed class WorkingDays
{
    readonly HashSet<LocalDate> _holidays;
    readonly HashSet<LocalDate> _workdays;

    public WorkingDays(IEnumerable<LocalDate> holidays, IEnumerable<LocalDate> workdays, IEnumerable<int> years)
    {
        _holidays = [.. holidays];
        _workdays = [.. workdays];
        Years = years.ToHashSet();
    }

    /// <summary>The years the seed's calendar covers; other years count Monday to Friday only.</summary>
    public IReadOnlySet<int> Years { get; }

    public bool IsWorkingDay(LocalDate day) =>
        _workdays.Contains(day) || (day.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday) && !_holidays.Contains(day));

    /// <summary>The <paramref name="count"/>th working day after <paramref name="from"/>: the last day a report of something done on <paramref name="from"/> is on time.</summary>
    public LocalDate AddWorkingDays(LocalDate from, int count)
    {
        var day = from;
        for (var counted = 0; counted < count;)
        {
            day = day.PlusDays(1);
            if (IsWorkingDay(day)) counted++;
        }
        return day;
    }

    public static WorkingDays Load(string seedsFolder)
    {
        var file = SeedFile.Read<CalendarFile>(seedsFolder, "holidays.json");
        var pattern = NodaTime.Text.LocalDatePattern.Iso;
        return new(
            file.Years.Values.SelectMany(y => y.Holidays).Select(d => pattern.Parse(d).Value),
            file.Years.Values.SelectMany(y => y.Workdays).Select(d => pattern.Parse(d).Value),
            file.Years.Keys.Select(y => int.Parse(y, System.Globalization.CultureInfo.InvariantCulture)));
    }

    sealed record CalendarFile(Dictionary<string, YearFile> Years);

    sealed record YearFile(List<string> Holidays, List<string> Workdays);
}
