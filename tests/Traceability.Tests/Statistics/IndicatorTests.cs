using Traceability.Statistics;
using Traceability.Tests.Batches;

namespace Traceability.Tests.Statistics;

/// <summary>Every indicator of seeds/indicators.json, evaluated over totals worked out by hand, in its view and rate form.</summary>
public sealed class IndicatorTests
{
    static readonly IndicatorCatalog Catalog = IndicatorCatalog.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));
    static readonly Period Year = Period.Parse("2025")!;
    static readonly Period Quarter = Period.Parse("2025-Q2")!;

    static Indicator Get(string code) => Catalog.All.Single(i => i.Code == code);

    /// <summary>An origin-view total: waste generated in the period (in-period) or earlier stock (earlier).</summary>
    static MeasureTotal O(string category, string measure, decimal t, string origin = "in-period") => new(Views.Origin, "320200", category, measure, t * 1000m, 0, origin);

    static MeasureTotal S(string category, string measure, decimal t, long units = 0) => new(Views.Site, "320200", category, measure, t * 1000m, units);

    static MeasureTotal Secondary(string category, string measure, decimal t) => new(Views.Secondary, "320200", category, measure, t * 1000m, 0, "in-period");

    static decimal? Value(string code, Period period, IReadOnlyList<MeasureTotal> totals, decimal tonnes = 0, long recyclers = 0) =>
        IndicatorValues.Evaluate(Get(code), "320200", period, new IndicatorInputs(totals, tonnes, recyclers), Given.Categories).Value;

    [Fact]
    public void the_catalog_names_its_view_form_words_and_only_known_measures_groups_categories_and_scopes()
    {
        var statisticsMd = new HashSet<string> { "comprehensive", "newly-generated", "recovery", "tonnage", "units", "count", "capacity", "capacity-use" };
        var measures = typeof(Measures).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!).Append("licensed-capacity:dismantle").Append("registered-recyclers").ToHashSet();
        foreach (var indicator in Catalog.All)
        {
            Assert.Contains(indicator.Form, statisticsMd);
            Assert.Contains(indicator.View, new[] { "origin", "site", "licences", "registry", "none" });
            Assert.All(indicator.Numerator.Concat(indicator.Denominator ?? []), m => Assert.Contains(m, measures));
            Assert.All(indicator.Groups, g => Assert.Contains(g, Given.Categories.Groups));
            Assert.All(indicator.Categories, c => Assert.NotNull(Given.Categories.Find(c)));
            Assert.All(indicator.Targets, t => Assert.Contains(t.Scope, new[] { "320200", "320700", "410100", "national" }));
            Assert.True(indicator.Measurable ? indicator.Numerator.Count > 0 && indicator.NumeratorText.Length > 0 : indicator.NotMeasuredBecause is { Length: > 0 }, indicator.Code);
            Assert.Equal(indicator.EnergyRecoveryCounts, indicator.Numerator.Contains("energy-recovered-r1"));
        }
        // The scopes the issue corrected: no straw in general industrial solid waste, no medical waste in industrial hazardous waste, bulk as newly generated.
        Assert.DoesNotContain("straw", Get("general-industrial-solid-waste-utilization-rate").Categories);
        Assert.DoesNotContain("hw01", Get("hazardous-waste-utilization-rate").Categories);
        Assert.False(Get("hazardous-waste-utilization-rate").EnergyRecoveryCounts);
        Assert.Equal("newly-generated", Get("bulk-solid-waste-utilization-rate").Form);
        Assert.Equal(26, Catalog.All.Count);
    }

    [Fact]
    public void the_rate_forms_count_as_statistics_md_says()
    {
        List<MeasureTotal> totals =
        [
            // General industrial solid waste: 2000 t fly ash generated; 900 t recycled of it, 300 t of earlier stock, 100 t burnt as a fuel.
            O("fly-ash", "generated", 2000), O("fly-ash", "utilized-recycling", 900), O("fly-ash", "utilized-recycling", 300, "earlier"), O("fly-ash", "energy-recovered-r1", 100),
            // Construction waste: 500 t generated, 200 t recycled aggregate out of sorting, 50 t of earlier stock reused.
            O("decoration-waste", "generated", 500), O("decoration-waste", "utilized-product", 200), O("construction-spoil", "utilized-reuse", 50, "earlier"),
            // Renewable resources: 1000 t generated, 800 t collected of it and 50 t of earlier stock.
            O("waste-paper", "generated", 1000), O("waste-paper", "collected", 800), O("waste-paper", "collected", 50, "earlier"),
            // Industrial hazardous waste: 10 t waste oil arising from dismantling (secondary), 3 t recycled, 2 t burnt with energy recovery; medical waste left out.
            Secondary("hw08", "generated", 10), Secondary("hw08", "utilized-recycling", 3), Secondary("hw08", "energy-recovered-r1", 2),
            O("hw01", "generated", 5), O("hw01", "disposed-d10", 5),
            // Site activity.
            S("waste-paper", "collected", 850), S("scrap-steel", "recycled", 300), S("black-mass", "recycled", 40),
            S("scrapped-vehicle", "dismantled", 9_800, 7_000), S("power-battery", "dismantled", 60, 150),
        ];

        Assert.Equal(56.52m, Value("general-industrial-solid-waste-utilization-rate", Year, totals)); // (900 + 300 + 100) / (2000 + 300)
        Assert.Equal(48m, Value("bulk-solid-waste-utilization-rate", Year, totals));                // newly generated: (900 + 100 + 200) / (2000 + 500), earlier stock left out
        Assert.Equal(45.45m, Value("construction-waste-utilization-rate", Year, totals));            // (200 + 50) / (500 + 50)
        Assert.Equal(85m, Value("renewable-resource-recovery-rate", Year, totals));                  // (800 + 50) / 1000
        Assert.Equal(30m, Value("hazardous-waste-utilization-rate", Year, totals));                   // 3 / 10: energy recovery and medical waste do not count
        Assert.Equal(0.155m, Value("bulk-solid-waste-utilized", Year, totals));                       // 1300 t of fly ash + 250 t of construction waste, in 10^4 t
        Assert.Equal(0.085m, Value("recovered-tonnage", Year, totals));                               // site: 850 t
        Assert.Equal(0.034m, Value("renewable-resources-processed", Year, totals));                   // site: 300 t + 40 t, gross
        Assert.Equal(7_000m, Value("scrapped-vehicles-dismantled", Year, totals));
        Assert.Equal(50_000m, Value("battery-dismantling-capacity", Year, totals, 50_000m));
        Assert.Equal(0.8m, Value("battery-dismantling-utilization", Quarter, totals, 50_000m));      // 100 t over 12,500 t for a quarter
        Assert.Equal(452m, Value("recycling-enterprises", Year, totals, recyclers: 452));
        Assert.Null(Value("straw-utilization-rate", Year, totals));                                   // nothing generated: no rate
        Assert.Null(Value("used-car-transactions", Year, totals));
    }

    [Fact]
    public void falling_and_rising_targets_compare_with_the_same_period_a_year_earlier()
    {
        var landfilled = Get("industrial-hazardous-waste-landfilled");
        var now = new IndicatorInputs([O("hw17", "disposed-d1", 40)], 0, 0);
        var before = new IndicatorInputs([O("hw17", "disposed-d1", 50)], 0, 0);
        var value = IndicatorValues.Evaluate(landfilled, "320700", Year, now, Given.Categories, before);
        Assert.Equal((40m, 50m, 10m, true), (value.Value!.Value, value.YearEarlier!.Value, value.Gap!.Value, value.OnTrack!.Value));

        var alkali = Get("alkali-residue-utilized");
        var flat = IndicatorValues.Evaluate(alkali, "320700", Year, new IndicatorInputs([O("alkali-residue", "utilized-recycling", 7)], 0, 0), Given.Categories,
            new IndicatorInputs([O("alkali-residue", "utilized-recycling", 7)], 0, 0));
        Assert.False(flat.OnTrack); // "rising year on year": the same tonnage is not a rise
    }

    [Fact]
    public void a_yearly_count_target_is_taken_pro_rata_for_a_quarter_and_rates_are_not()
    {
        List<MeasureTotal> totals = [S("scrapped-vehicle", "dismantled", 1_000, 15_000), O("construction-spoil", "generated", 100), O("construction-spoil", "utilized-reuse", 75)];

        var vehicles = IndicatorValues.Evaluate(Get("scrapped-vehicles-dismantled"), "320200", Quarter, new IndicatorInputs(totals, 0, 0), Given.Categories);
        Assert.Equal((16_000m, 1_000m, false), (vehicles.TargetForPeriod!.Value, vehicles.Gap!.Value, vehicles.OnTrack!.Value));

        var construction = IndicatorValues.Evaluate(Get("construction-waste-utilization-rate"), "320700", Quarter, new IndicatorInputs(totals, 0, 0), Given.Categories);
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
        Assert.Equal("2024-Q2", Period.Parse("2025-Q2")!.YearEarlier()!.Name);
    }
}
