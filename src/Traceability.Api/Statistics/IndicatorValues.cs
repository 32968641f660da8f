using Traceability.ReferenceData;

namespace Traceability.Statistics;

/// <summary>An indicator's value for a scope and period, next to its target and its definition.</summary>
/// <param name="TargetForPeriod">The target as it applies to the period asked: rates and capacities as set; yearly tonnages and counts pro rata by months; for falling or rising, the value a year earlier.</param>
/// <param name="Gap">Target for the period minus value: what is still missing (negative: ahead).</param>
/// <param name="YearEarlier">The value for the same period a year earlier, where the target compares with it.</param>
public sealed record IndicatorValue(
    string Code, string Name, string Unit, string View, string Scope, string Period, decimal? Value, decimal? Numerator, decimal? Denominator,
    Target? Target, decimal? TargetForPeriod, decimal? Gap, bool? OnTrack, Indicator Definition, decimal? YearEarlier = null);

/// <summary>What an indicator is evaluated over: the period's totals (limited to the scope's city, or all cities), and what licences and the registry say.</summary>
public sealed record IndicatorInputs(IReadOnlyList<MeasureTotal> Totals, decimal LicensedTonnes, long RegisteredRecyclers);

/// <summary>Pure: totals in, indicator values out, by the indicator's view and rate form (statistics.md).</summary>
public static class IndicatorValues
{
    public static IndicatorValue Evaluate(Indicator indicator, string scope, Period period, IndicatorInputs inputs, Categories categories, IndicatorInputs? yearEarlier = null)
    {
        var target = TargetFor(indicator, scope, period);
        if (!indicator.Measurable)
            return new(indicator.Code, indicator.Name, indicator.Unit, indicator.View, scope, period.Name, null, null, null, target, null, null, null, indicator);

        var (value, numerator, denominator) = Compute(indicator, period, inputs, categories);
        if (target is null || value is null)
            return new(indicator.Code, indicator.Name, indicator.Unit, indicator.View, scope, period.Name, value, numerator, denominator, target, null, null, null, indicator);

        if (target.Comparison is "falling" or "rising")
        {
            var before = yearEarlier is null ? null : Compute(indicator, period, yearEarlier, categories).Value;
            bool? better = before is null ? null : target.Comparison == "falling" ? value < before : value > before;
            return new(indicator.Code, indicator.Name, indicator.Unit, indicator.View, scope, period.Name, value, numerator, denominator, target, before,
                before - value, better, indicator, before);
        }
        var share = period.Months / 12m;
        var forPeriod = indicator.Form is "tonnage" or "units" ? Math.Round(target.Value * share, 4) : target.Value;
        var onTrack = target.Comparison switch
        {
            ">" => value > forPeriod,
            "<=" => value <= forPeriod,
            "<" => value < forPeriod,
            _ => value >= forPeriod,
        };
        return new(indicator.Code, indicator.Name, indicator.Unit, indicator.View, scope, period.Name, value, numerator, denominator, target, forPeriod, forPeriod - value, onTrack, indicator);
    }

    /// <summary>The target for the scope whose year is the period's or the next after it; else the latest.</summary>
    static Target? TargetFor(Indicator indicator, string scope, Period period) =>
        indicator.Targets.Where(t => t.Scope == scope).OrderBy(t => t.Year).FirstOrDefault(t => t.Year >= period.Year)
        ?? indicator.Targets.Where(t => t.Scope == scope).OrderBy(t => t.Year).LastOrDefault();

    static (decimal? Value, decimal? Numerator, decimal? Denominator) Compute(Indicator indicator, Period period, IndicatorInputs inputs, Categories categories)
    {
        string[] views = indicator.CountsSecondary(categories) ? [Views.Origin, Views.Secondary] : [indicator.View];
        var covered = inputs.Totals.Where(t => views.Contains(t.View) && categories.Find(t.Category) is { } c && indicator.Covers(c)).ToList();
        decimal Kg(IEnumerable<string> measures, string? origin = null) =>
            covered.Where(t => measures.Contains(t.Measure) && (origin is null || t.Origin == origin)).Sum(t => t.Kg);
        decimal Units(IEnumerable<string> measures) => covered.Where(t => measures.Contains(t.Measure)).Sum(t => t.Units);
        decimal? Percent(decimal num, decimal den) => den == 0 ? null : Math.Round(num / den * 100m, 2);
        var generated = Kg([Measures.Generated], "in-period");

        switch (indicator.Form)
        {
            case "comprehensive":
            {
                var num = Kg(indicator.Numerator);
                var den = generated + Kg(indicator.Numerator, "earlier");
                return (Percent(num, den), num, den);
            }
            case "newly-generated":
            {
                var num = Kg(indicator.Numerator, "in-period");
                return (Percent(num, generated), num, generated);
            }
            case "recovery":
            {
                var num = Kg(indicator.Numerator);
                return (Percent(num, generated), num, generated);
            }
            case "units":
                return (Units(indicator.Numerator), Units(indicator.Numerator), null);
            case "count":
                return (inputs.RegisteredRecyclers, inputs.RegisteredRecyclers, null);
            case "capacity":
                return (inputs.LicensedTonnes, inputs.LicensedTonnes, null);
            case "capacity-use":
            {
                var (num, den) = (Kg(indicator.Numerator) / 1000m, inputs.LicensedTonnes * period.Months / 12m);
                return (Percent(num, den), num, den);
            }
            default: // tonnage
            {
                var num = Kg(indicator.Numerator);
                return (Math.Round(num / (indicator.Unit == "10^4 t" ? 10_000_000m : 1000m), 4), num, null);
            }
        }
    }
}
