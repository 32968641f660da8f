using Traceability.ReferenceData;

namespace Traceability.Statistics;

public sealed record Target(string Scope, string Comparison, decimal Value, int Year, string Source, decimal? Baseline = null, int? BaselineYear = null);

/// <summary>An indicator of seeds/indicators.json: how its value is made, and the targets set for it.</summary>
/// <param name="Kind">rate (numerator over denominator, %), tonnage, units (a count), capacity (licensed), capacity-use (% of licensed capacity).</param>
public sealed record Indicator(
    string Code, string Name, string NameZh, string Unit, string Kind, IReadOnlyList<string> Numerator, IReadOnlyList<string>? Denominator,
    IReadOnlyList<string> Groups, IReadOnlyList<string> Categories, string PeriodRule, IReadOnlyList<Target> Targets,
    bool Measurable = true, string? NotMeasuredBecause = null, string? Note = null)
{
    /// <summary>Whether a category counts towards this indicator.</summary>
    public bool Covers(Category category) => Categories.Contains(category.Code) || Groups.Contains(category.Group);
}

public sealed class IndicatorCatalog(IReadOnlyList<Indicator> indicators)
{
    public IReadOnlyList<Indicator> All { get; } = indicators;

    public static IndicatorCatalog Load(string seedsFolder) => new(SeedFile.Read<IndicatorsFile>(seedsFolder, "indicators.json").Indicators);

    sealed record IndicatorsFile(List<Indicator> Indicators);
}
