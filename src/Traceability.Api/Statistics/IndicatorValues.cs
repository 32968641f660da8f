using Traceability.ReferenceData;

namespace Traceability.Statistics;

/// <summary>An indicator's value for a scope and period, next to its target and its definition.</summary>
/// <param name="TargetForPeriod">The target as it applies to the period asked: rates and capacities as set; yearly tonnages and counts pro rata by months.</param>
/// <param name="Gap">Target for the period minus value: what is still missing (negative: ahead).</param>
public sealed record IndicatorValue(
    string Code, string Name, string Unit, string Scope, string Period, decimal? Value, decimal? Numerator, decimal? Denominator,
    Target? Target, decimal? TargetForPeriod, decimal? Gap, bool? OnTrack, Indicator Definition);

/// <summary>Pure: totals of the period (already limited to the scope's city, or all cities) in, indicator values out.</summary>
public static class IndicatorValues
{
    public static IndicatorValue Evaluate(Indicator indicator, string scope, Period period, IReadOnlyList<MeasureTotal> totals, Categories categories, decimal licensedTonnes)
    {
        var target = indicator.Targets.FirstOrDefault(t => t.Scope == scope);
        if (!indicator.Measurable) return new(indicator.Code, indicator.Name, indicator.Unit, scope, period.Name, null, null, null, target, null, null, null, indicator);

        var covered = totals.Where(t => categories.Find(t.Category) is { } c && indicator.Covers(c)).ToList();
        decimal Kg(IEnumerable<string> measures) => covered.Where(t => measures.Contains(t.Measure)).Sum(t => t.Kg);
        decimal Units(IEnumerable<string> measures) => covered.Where(t => measures.Contains(t.Measure)).Sum(t => t.Units);
        var share = period.Months / 12m;

        decimal? numerator, denominator = null, value;
        switch (indicator.Kind)
        {
            case "rate":
                (numerator, denominator) = (Kg(indicator.Numerator), Kg(indicator.Denominator ?? []));
                value = denominator == 0 ? null : Math.Round(numerator.Value / denominator.Value * 100m, 2);
                break;
            case "units":
                numerator = Units(indicator.Numerator);
                value = numerator;
                break;
            case "capacity":
                numerator = licensedTonnes;
                value = licensedTonnes;
                break;
            case "capacity-use":
                (numerator, denominator) = (Kg(indicator.Numerator) / 1000m, licensedTonnes * share);
                value = denominator == 0 ? null : Math.Round(numerator.Value / denominator.Value * 100m, 2);
                break;
            default: // tonnage
                numerator = Kg(indicator.Numerator);
                value = Math.Round(numerator.Value / (indicator.Unit == "10^4 t" ? 10_000_000m : 1000m), 4);
                break;
        }

        if (target is null || value is null) return new(indicator.Code, indicator.Name, indicator.Unit, scope, period.Name, value, numerator, denominator, target, null, null, null, indicator);
        var forPeriod = indicator.Kind is "tonnage" or "units" ? Math.Round(target.Value * share, 4) : target.Value;
        var onTrack = target.Comparison switch
        {
            ">" => value > forPeriod,
            "<=" => value <= forPeriod,
            "<" => value < forPeriod,
            _ => value >= forPeriod,
        };
        return new(indicator.Code, indicator.Name, indicator.Unit, scope, period.Name, value, numerator, denominator, target, forPeriod, forPeriod - value, onTrack, indicator);
    }
}
