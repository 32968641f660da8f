using Traceability.Statistics;
using Traceability.Tests.Batches;

namespace Traceability.Tests.Statistics;

/// <summary>Every indicator of seeds/indicators.json, evaluated over totals worked out by hand.</summary>
public sealed class IndicatorTests
{
    static readonly IndicatorCatalog Catalog = IndicatorCatalog.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));
    static readonly Period Year = Period.Parse("2025")!;
    static readonly Period Quarter = Period.Parse("2025-Q2")!;

    static Indicator Get(string code) => Catalog.All.Single(i => i.Code == code);

    static MeasureTotal T(string category, string measure, decimal kg, int units = 0) => new("320200", category, measure, kg, units);

    [Fact]
    public void the_catalog_names_only_known_measures_groups_categories_and_scopes()
    {
        var measures = Measures.Reported.Append("licensed-capacity:dismantle").ToHashSet();
        foreach (var indicator in Catalog.All)
        {
            Assert.All(indicator.Numerator.Concat(indicator.Denominator ?? []), m => Assert.Contains(m, measures));
            Assert.All(indicator.Groups, g => Assert.Contains(g, Given.Categories.Groups));
            Assert.All(indicator.Categories, c => Assert.NotNull(Given.Categories.Find(c)));
            Assert.All(indicator.Targets, t => Assert.Contains(t.Scope, new[] { "320200", "320700", "410100", "national" }));
            Assert.True(indicator.Measurable ? indicator.Numerator.Count > 0 : indicator.NotMeasuredBecause is { Length: > 0 }, indicator.Code);
        }
        Assert.Contains(Catalog.All, i => i.Targets.Any(t => t.Scope == "320200"));
        Assert.Contains(Catalog.All, i => i.Targets.Any(t => t.Scope == "410100"));
    }

    [Fact]
    public void each_measurable_indicator_gives_the_hand_worked_value()
    {
        // One year in Wuxi: 1000 t of renewable resources generated, 850 t collected; bulk solid waste 2000 t generated,
        // 900 t recycled, 300 t reused; construction waste 500 t generated, 200 t reused; 7000 vehicles dismantled;
        // 60 t of batteries dismantled and 40 t recycled; 100 t of agricultural film, 95 t collected; 10 t of HW generated, 3 t recycled.
        List<MeasureTotal> totals =
        [
            T("waste-paper", "generated", 600_000m), T("scrap-steel", "generated", 400_000m),
            T("waste-paper", "collected", 500_000m), T("scrap-steel", "collected", 350_000m), T("scrap-steel", "recycled", 300_000m), T("waste-paper", "reused", 50_000m),
            T("fly-ash", "generated", 1_500_000m), T("byproduct-gypsum", "generated", 500_000m), T("fly-ash", "recycled", 900_000m), T("byproduct-gypsum", "reused", 300_000m),
            T("construction-spoil", "generated", 500_000m), T("construction-spoil", "reused", 200_000m),
            T("scrapped-vehicle", "dismantled", 9_800_000m, 7_000),
            T("power-battery", "dismantled", 60_000m, 150), T("black-mass", "recycled", 40_000m),
            T("agricultural-film", "generated", 100_000m), T("agricultural-film", "collected", 95_000m),
            T("hw08", "generated", 10_000m), T("hw08", "recycled", 3_000m),
            T("straw", "generated", 0m),
        ];
        decimal? Value(string code, Period period, decimal tonnes = 0) => IndicatorValues.Evaluate(Get(code), "320200", period, totals, Given.Categories, tonnes).Value;

        Assert.Equal(85m, Value("renewable-resource-recovery-rate", Year));                    // 850 / 1000
        Assert.Equal(56m, Value("bulk-solid-waste-utilization-rate", Year));                    // (900 + 300 + 200) / (2000 + 500)
        Assert.Equal(40m, Value("construction-waste-utilization-rate", Year));                  // 200 / 500
        Assert.Equal(7_000m, Value("scrapped-vehicles-dismantled", Year));
        Assert.Equal(50_000m, Value("battery-dismantling-capacity", Year, 50_000m));
        Assert.Equal(0.2m, Value("battery-dismantling-utilization", Year, 50_000m));            // 100 t / 50,000 t
        Assert.Equal(0.8m, Value("battery-dismantling-utilization", Quarter, 50_000m));         // 100 t / 12,500 t for a quarter
        Assert.Equal(95m, Value("agricultural-film-recovery-rate", Year));
        Assert.Equal(30m, Value("hazardous-waste-utilization-rate", Year));                     // 3 / 10
        Assert.Equal(60m, Value("gypsum-utilization-rate", Year));                              // 300 / 500
        Assert.Null(Value("straw-utilization-rate", Year));                                     // nothing generated: no rate
        Assert.Equal(60m, Value("general-industrial-solid-waste-utilization-rate", Year));      // 1200 / 2000
        Assert.Equal(0.0945m, Value("recovered-tonnage", Year));                                // 850 t + 95 t = 0.0945 x 10^4 t
        Assert.Equal(0.034m, Value("renewable-resources-processed", Year));                     // 300 t + 40 t
        Assert.Equal(0.035m, Value("main-renewable-resources-utilized", Year));                 // 300 t + 50 t
        Assert.Equal(0.14m, Value("bulk-solid-waste-utilized", Year));                          // 1200 t + 200 t
        Assert.Null(Value("used-car-transactions", Year));
    }

    [Fact]
    public void a_yearly_count_target_is_taken_pro_rata_for_a_quarter_and_rates_are_not()
    {
        List<MeasureTotal> totals = [T("scrapped-vehicle", "dismantled", 1_000_000m, 15_000), T("construction-spoil", "generated", 100m), T("construction-spoil", "reused", 75m)];

        var vehicles = IndicatorValues.Evaluate(Get("scrapped-vehicles-dismantled"), "320200", Quarter, totals, Given.Categories, 0);
        Assert.Equal((16_000m, 1_000m, false), (vehicles.TargetForPeriod!.Value, vehicles.Gap!.Value, vehicles.OnTrack!.Value));

        var construction = IndicatorValues.Evaluate(Get("construction-waste-utilization-rate"), "320700", Quarter, totals, Given.Categories, 0);
        Assert.Equal((70m, -5m, true), (construction.TargetForPeriod!.Value, construction.Gap!.Value, construction.OnTrack!.Value));
    }

    [Theory]
    [InlineData("2025", "2025-01", "2025-12", 12)]
    [InlineData("2025-Q2", "2025-04", "2025-06", 3)]
    [InlineData("2025-04", "2025-04", "2025-04", 1)]
    public void periods_are_months_quarters_and_years(string text, string from, string to, int months)
    {
        Assert.Equal((from, to, months), (Period.Parse(text)!.FromMonth, Period.Parse(text)!.ToMonth, Period.Parse(text)!.Months));
        Assert.Null(Period.Parse("2025-13"));
        Assert.Null(Period.Parse("2025-Q5"));
    }
}
