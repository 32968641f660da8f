using JasperFx.Events.Projections;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Statistics;

public sealed record MeasureFigure(decimal Kg, long Units);

/// <summary>One category's figures in a view: each measure's mass (and units where counted), and the stock held at the period's end.</summary>
public sealed record CategoryFigures(string Category, string Group, IReadOnlyDictionary<string, MeasureFigure> Measures, decimal StockKg);

/// <summary>A city's figures in one view, with what the view means.</summary>
public sealed record ViewFigures(string View, string Meaning, IReadOnlyList<CategoryFigures> Categories);

/// <summary>A city's figures for a period, in every view; only categories with a figure are listed.</summary>
public sealed record CityFigures(string City, string Period, Instant AsOf, string Unit, IReadOnlyList<ViewFigures> Views);

public sealed record FlowsView(string Period, Instant AsOf, string Unit, IReadOnlyList<FlowTotal> Flows);

public sealed record IndicatorsView(string Scope, string Period, Instant AsOf, IReadOnlyList<IndicatorValue> Indicators);

/// <param name="LagEvents">Events appended that the statistics projection has not processed yet.</param>
/// <param name="LagSeconds">Age of the oldest event it has not processed (0 when caught up).</param>
public sealed record FreshnessView(long LastEvent, long ProcessedUpTo, long LagEvents, double LagSeconds, Instant CheckedAt);

public static class StatisticsEndpoints
{
    internal static void MapStatisticsEndpoints(this IEndpointRouteBuilder app)
    {
        var statistics = app.MapGroup("/api/statistics").WithTags("Statistics");
        const string common = " `period`: " + Period.Rule + ". `asOf` (ISO 8601 instant, default now): only events recorded by then count, so a published figure can be reproduced. Answers CSV with `Accept: text/csv`.";

        statistics.MapGet("/indicators", GetIndicators)
            .WithName("GetIndicators")
            .WithSummary("Indicators against the cities' targets")
            .WithDescription("Every indicator of seeds/indicators.json for a city (or nationally when `city` is absent): value, numerator and denominator, target (with year and source), the target as it applies to the period, gap, on track or not, and the definition." + common)
            .RequireAuthorization(Roles.StatisticsReaders)
            .Produces<IndicatorsView>()
            .ProducesValidationProblem();

        statistics.MapGet("/cities/{city}", GetCity)
            .WithName("GetCityFigures")
            .WithSummary("The figures of a city, per category")
            .WithDescription("The city's figures in three views (statistics.md). origin: waste generated in the city (by its generator) and what became of it wherever that happened: generated, collected, utilized at its first utilization (reuse, remanufacture, cascade use, recycling input, a product out of sorting), energy recovery R1/D10, disposal D1/D10, declared loss, weighing difference, and stock held at the period's end. secondary: hazardous waste arising from treatment in the city, accounted as generated there. site: activity at the city's sites, gross: received, collected, sorted, dismantled, reused, remanufactured, cascade-used, recycling input, secondary material produced, energy recovery, disposal, losses, stock. Masses in kg, units where counted; only categories with a figure; optionally one `category`." + common)
            .RequireAuthorization(Roles.StatisticsReaders)
            .Produces<CityFigures>()
            .ProducesValidationProblem();

        statistics.MapGet("/flows", GetFlows)
            .WithName("GetFlows")
            .WithSummary("Mass from city to city")
            .WithDescription("Per city pair (sender's city to addressee's) and category: mass sent in the period, received (weighed) in it, still in transit at its end, and the weighing difference of its receipts (weighed minus sent); optionally one `category`." + common)
            .RequireAuthorization(Roles.StatisticsReaders)
            .Produces<FlowsView>()
            .ProducesValidationProblem();

        statistics.MapGet("/freshness", GetFreshness)
            .WithName("GetFreshness")
            .WithSummary("How far the statistics lag the event log")
            .WithDescription("The last event appended, the last one the statistics projection processed, and the lag in events and seconds.")
            .RequireAuthorization(Roles.StatisticsReaders)
            .Produces<FreshnessView>();
    }

    static (Period? Period, Instant AsOf, FieldErrors Errors) Common(string? period, string? asOf, IClock clock)
    {
        var errors = new FieldErrors().Require(period, "period");
        var parsed = Period.Parse(period);
        if (period is not null && parsed is null) errors.Add("period", $"must be {Period.Rule}");
        var at = clock.GetCurrentInstant();
        if (asOf is not null)
        {
            var (value, rule) = RequestJson.ParseInstant(asOf);
            if (value is { } given) at = given;
            else errors.Add("asOf", rule!);
        }
        return (parsed, at, errors);
    }

    static async Task<IResult> GetIndicators(
        string? city, string? period, string? asOf, HttpContext http, Figures figures, IndicatorCatalog catalog, Categories categories, Cities cities, IQuerySession session, IClock clock)
    {
        var (p, at, errors) = Common(period, asOf, clock);
        if (city is not null && !cities.IsKnown(city)) errors.Add("city", "is not a GB/T 2260 city code in seeds/cities.json");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var inputs = await InputsAsync(p!, at, city, figures, categories, session, http.RequestAborted);
        // "Falling" and "rising" targets compare with the same period a year earlier, as known at the same asOf.
        var yearEarlier = catalog.All.Any(i => i.ComparesWithYearEarlier) && p!.YearEarlier() is { } before
            ? await InputsAsync(before, at, city, figures, categories, session, http.RequestAborted)
            : null;
        var values = catalog.All.Select(indicator => IndicatorValues.Evaluate(indicator, city ?? "national", p!, inputs, categories, yearEarlier)).ToList();
        if (Csv.Wanted(http))
            return Csv.Result(["indicator", "view", "scope", "period", "value", "unit", "numerator", "denominator", "target", "targetYear", "targetForPeriod", "gap", "onTrack", "source", "definition"],
                values.Select(v => (IReadOnlyList<object?>)[v.Code, v.View, v.Scope, v.Period, v.Value, v.Unit, v.Numerator, v.Denominator, v.Target?.Value, v.Target?.Year,
                    v.TargetForPeriod, v.Gap, v.OnTrack, v.Target?.Source, Definition(v.Definition)]));
        return Results.Ok(new IndicatorsView(city ?? "national", p!.Name, at, values));
    }

    static async Task<IndicatorInputs> InputsAsync(Period p, Instant at, string? city, Figures figures, Categories categories, IQuerySession session, CancellationToken ct)
    {
        var totals = await figures.TotalsAsync(p, at, city, null, ct);
        var capacity = await Figures.LicensedCapacityAsync(session, Operation.Dismantle, categories.Find("power-battery")!, city, p.LastDay, at, ct);
        var recyclers = await Figures.RegisteredRecyclersAsync(session, city, p.LastDay, at, ct);
        return new IndicatorInputs(totals, capacity, recyclers);
    }

    static string Definition(Indicator i) => i.Measurable
        ? $"{i.View} view, {i.Form}: {i.NumeratorText}{(i.DenominatorText is { Length: > 0 } d ? " / " + d : "")} [{string.Join('+', i.Numerator)}{(i.Denominator is { Count: > 0 } m ? " / " + string.Join('+', m) : "")}] over {string.Join(' ', i.Groups.Concat(i.Categories))}; energy recovery (R1) {(i.EnergyRecoveryCounts ? "counts" : "does not count")}; {i.PeriodRule}"
        : $"not measured: {i.NotMeasuredBecause}";

    static readonly (string View, string Meaning)[] ViewMeanings =
    [
        (Views.Origin, "waste generated in the city and what became of it wherever that happened, each kilogram utilized once (statistics.md)"),
        (Views.Secondary, "hazardous waste arising from treatment in the city, accounted as generated there"),
        (Views.Site, "activity at the city's sites, gross"),
    ];

    static async Task<IResult> GetCity(string city, string? period, string? category, string? asOf, HttpContext http, Figures figures, Categories categories, Cities cities, IClock clock)
    {
        var (p, at, errors) = Common(period, asOf, clock);
        if (!cities.IsKnown(city)) errors.Add("city", "is not a GB/T 2260 city code in seeds/cities.json");
        if (category is not null && categories.Find(category) is null) errors.Add("category", "is not a category code in seeds/categories.json");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var totals = await figures.TotalsAsync(p!, at, city, category, http.RequestAborted);
        var views = ViewMeanings.Select(v => new ViewFigures(v.View, v.Meaning, [.. totals.Where(t => t.View == v.View).GroupBy(t => t.Category).OrderBy(g => g.Key)
                .Select(g => new CategoryFigures(g.Key, categories.Find(g.Key)?.Group ?? "",
                    g.Where(t => t.Measure != Measures.Stock && (t.Kg != 0 || t.Units != 0)).GroupBy(t => t.Measure).OrderBy(m => m.Key, StringComparer.Ordinal)
                        .ToDictionary(m => m.Key, m => new MeasureFigure(m.Sum(t => t.Kg), m.Sum(t => t.Units))),
                    g.Where(t => t.Measure == Measures.Stock).Sum(t => t.Kg)))
                // No empty categories: one with no figure in the period and nothing held is left out.
                .Where(c => c.Measures.Count > 0 || c.StockKg != 0)]))
            .Where(v => v.Categories.Count > 0).ToList();
        if (Csv.Wanted(http))
            return Csv.Result(["city", "period", "view", "category", "measure", "kg", "units"],
                views.SelectMany(v => v.Categories.SelectMany(r => r.Measures.Select(m => (IReadOnlyList<object?>)[city, p!.Name, v.View, r.Category, m.Key, m.Value.Kg, m.Value.Units])
                    .Append([city, p!.Name, v.View, r.Category, "stock-at-end", r.StockKg, null]))));
        return Results.Ok(new CityFigures(city, p!.Name, at, "kg", views));
    }

    static async Task<IResult> GetFlows(string? period, string? category, string? asOf, HttpContext http, Figures figures, Categories categories, IClock clock)
    {
        var (p, at, errors) = Common(period, asOf, clock);
        if (category is not null && categories.Find(category) is null) errors.Add("category", "is not a category code in seeds/categories.json");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var flows = await figures.FlowsAsync(p!, at, category, http.RequestAborted);
        if (Csv.Wanted(http))
            return Csv.Result(["period", "fromCity", "toCity", "category", "sentKg", "receivedKg", "inTransitKg", "weighingDifferenceKg"],
                flows.Select(f => (IReadOnlyList<object?>)[p!.Name, f.FromCity, f.ToCity, f.Category, f.SentKg, f.ReceivedKg, f.InTransitKg, f.WeighingDifferenceKg]));
        return Results.Ok(new FlowsView(p!.Name, at, "kg", flows));
    }

    static async Task<IResult> GetFreshness(Figures figures, IClock clock, HttpContext http) =>
        Results.Ok(await figures.FreshnessAsync(clock.GetCurrentInstant(), http.RequestAborted));
}
