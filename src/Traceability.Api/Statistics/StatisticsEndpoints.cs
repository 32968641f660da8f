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

/// <summary>One category's figures in a city for a period: each measure's mass (and units where counted), and the stock at the period's end.</summary>
public sealed record CategoryFigures(string Category, string Group, IReadOnlyDictionary<string, MeasureFigure> Measures, decimal StockKg);

public sealed record CityFigures(string City, string Period, Instant AsOf, string Unit, IReadOnlyList<CategoryFigures> Categories);

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
            .WithDescription("Masses generated (generator's city), collected, sorted, dismantled, reused, remanufactured, cascade-used, recycled, produced by recycling, energy-recovered, disposed and declared lost (treating enterprise's city), units where counted, and stock held at the period's end; optionally one `category`." + common)
            .RequireAuthorization(Roles.StatisticsReaders)
            .Produces<CityFigures>()
            .ProducesValidationProblem();

        statistics.MapGet("/flows", GetFlows)
            .WithName("GetFlows")
            .WithSummary("Mass from city to city")
            .WithDescription("Mass received in each city from each city (the sender's), per category, in the period; optionally one `category`." + common)
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
        var totals = await figures.TotalsAsync(p!, at, city, null, http.RequestAborted);
        var values = new List<IndicatorValue>();
        foreach (var indicator in catalog.All)
        {
            var tonnes = indicator.Kind is "capacity" or "capacity-use"
                ? await Figures.LicensedCapacityAsync(session, Operation.Dismantle, categories.All.First(c => c.Group == indicator.Groups[0] && c.Dismantlable), city, p!.LastDay, at, http.RequestAborted)
                : 0m;
            values.Add(IndicatorValues.Evaluate(indicator, city ?? "national", p!, totals, categories, tonnes));
        }
        if (Csv.Wanted(http))
            return Csv.Result(["indicator", "scope", "period", "value", "unit", "numerator", "denominator", "target", "targetYear", "targetForPeriod", "gap", "onTrack", "source", "definition"],
                values.Select(v => (IReadOnlyList<object?>)[v.Code, v.Scope, v.Period, v.Value, v.Unit, v.Numerator, v.Denominator, v.Target?.Value, v.Target?.Year,
                    v.TargetForPeriod, v.Gap, v.OnTrack, v.Target?.Source, Definition(v.Definition)]));
        return Results.Ok(new IndicatorsView(city ?? "national", p!.Name, at, values));
    }

    static string Definition(Indicator i) => i.Measurable
        ? $"{string.Join('+', i.Numerator)}{(i.Denominator is { Count: > 0 } d ? " / " + string.Join('+', d) : "")} over {string.Join(' ', i.Groups.Concat(i.Categories))}; {i.PeriodRule}"
        : $"not measured: {i.NotMeasuredBecause}";

    static async Task<IResult> GetCity(string city, string? period, string? category, string? asOf, HttpContext http, Figures figures, Categories categories, Cities cities, IClock clock)
    {
        var (p, at, errors) = Common(period, asOf, clock);
        if (!cities.IsKnown(city)) errors.Add("city", "is not a GB/T 2260 city code in seeds/cities.json");
        if (category is not null && categories.Find(category) is null) errors.Add("category", "is not a category code in seeds/categories.json");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var totals = await figures.TotalsAsync(p!, at, city, category, http.RequestAborted);
        var rows = totals.GroupBy(t => t.Category).OrderBy(g => g.Key).Select(g => new CategoryFigures(g.Key, categories.Find(g.Key)?.Group ?? "",
            g.Where(t => t.Measure != Measures.Stock).ToDictionary(t => t.Measure, t => new MeasureFigure(t.Kg, t.Units)),
            g.Where(t => t.Measure == Measures.Stock).Sum(t => t.Kg))).ToList();
        if (Csv.Wanted(http))
            return Csv.Result(["city", "period", "category", "measure", "kg", "units"],
                rows.SelectMany(r => r.Measures.OrderBy(m => m.Key).Select(m => (IReadOnlyList<object?>)[city, p!.Name, r.Category, m.Key, m.Value.Kg, m.Value.Units])
                    .Append([city, p!.Name, r.Category, "stock-at-end", r.StockKg, null])));
        return Results.Ok(new CityFigures(city, p!.Name, at, "kg", rows));
    }

    static async Task<IResult> GetFlows(string? period, string? category, string? asOf, HttpContext http, Figures figures, Categories categories, IClock clock)
    {
        var (p, at, errors) = Common(period, asOf, clock);
        if (category is not null && categories.Find(category) is null) errors.Add("category", "is not a category code in seeds/categories.json");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var flows = await figures.FlowsAsync(p!, at, category, http.RequestAborted);
        if (Csv.Wanted(http))
            return Csv.Result(["period", "fromCity", "toCity", "category", "kg"], flows.Select(f => (IReadOnlyList<object?>)[p!.Name, f.FromCity, f.ToCity, f.Category, f.Kg]));
        return Results.Ok(new FlowsView(p!.Name, at, "kg", flows));
    }

    static async Task<IResult> GetFreshness(Figures figures, IClock clock, HttpContext http) =>
        Results.Ok(await figures.FreshnessAsync(clock.GetCurrentInstant(), http.RequestAborted));
}
