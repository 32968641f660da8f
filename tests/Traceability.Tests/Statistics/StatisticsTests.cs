using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Statistics;

/// <summary>
/// A small scripted city, Lianyungang (320700), worked by hand: decoration waste generated there at
/// 01:00 on 1 April China time (17:00 UTC on 31 March), spoil generated in Wuxi (320200) and brought
/// over, sorting, landfill and reuse, and a late report.
/// </summary>
public sealed class StatisticsTests(ApiFixture api) : ApiTest(api)
{
    const string Far = "2099-12-31T00:00:00Z";

    async Task<HttpClient> StatisticianAsync() => Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));

    /// <summary>Waits on Marten's daemon until the async projection has processed every event appended so far.</summary>
    Task CaughtUpAsync() => Api.ProjectionsCaughtUpAsync();

    static async Task<Party> Party(Chain chain, string city, string role, string? group = null, params string[] activities) => await chain.PartyAsync(city, role, group, activities);

    static async Task<Guid> At(Party party, string category, decimal kg, string occurredAt) =>
        (await PostAsync(party, "/api/batches", new { category, massKg = kg, occurredAt })).GetProperty("id").GetGuid();

    static async Task Move(Party from, Party to, Guid batch, decimal kg, string sent, string received)
    {
        var manifest = (await PostAsync(from, $"/api/batches/{batch}/dispatches", new { to = to.Id, massKg = kg, occurredAt = sent })).GetProperty("manifestId").GetGuid();
        await PostAsync(to, $"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = kg, occurredAt = received }, HttpStatusCode.OK);
    }

    [Fact]
    public async Task mass_on_the_road_over_a_year_end_is_in_transit_then_received_and_national_figures_agree_on_both_paths()
    {
        var chain = new Chain(Api);
        var estate = await Party(chain, "320200", "generator");
        var sorter = await Party(chain, "320700", "sorter", "construction-waste", "collect", "sort", "dispose", "reuse");
        var crossing = await At(estate, "construction-spoil", 300m, "2024-12-20T02:00:00Z");
        await Move(estate, sorter, crossing, 300m, "2024-12-30T02:00:00Z", "2025-01-05T02:00:00Z");
        var stranded = await At(estate, "construction-spoil", 200m, "2024-11-01T02:00:00Z");
        await PostAsync(estate, $"/api/batches/{stranded}/dispatches", new { to = sorter.Id, massKg = 200m, occurredAt = "2024-11-02T02:00:00Z" });
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();

        async Task<(decimal Sent, decimal Received, decimal InTransit)> FlowAsync(string period, string asOf)
        {
            var flow = (await statistician.GetFromJsonAsync<JsonElement>($"/api/statistics/flows?period={period}&asOf={asOf}")).GetProperty("flows").EnumerateArray()
                .Single(f => f.GetProperty("fromCity").GetString() == "320200");
            return (flow.GetProperty("sentKg").GetDecimal(), flow.GetProperty("receivedKg").GetDecimal(), flow.GetProperty("inTransitKg").GetDecimal());
        }
        Assert.Equal((500m, 0m, 500m), await FlowAsync("2024", Far));
        Assert.Equal((0m, 300m, 200m), await FlowAsync("2025-01", Far));
        Assert.Equal((0m, 0m, 200m), await FlowAsync("2025-06", Far));
        Assert.Equal((0m, 0m, 200m), await FlowAsync("2026", Far));

        // The nation's own sums (the monthly path) and every city's facts (the exact path, for an asOf before a later fact) agree.
        var monthly = (await FlowAsync("2025-01", Far), await statistician.GetStringAsync($"/api/statistics/indicators?period=2025&asOf={Far}"));
        var before = SystemClock.Instance.GetCurrentInstant();
        await Task.Delay(20);
        var later = await At(estate, "construction-spoil", 50m, "2025-01-10T02:00:00Z");
        await PostAsync(estate, $"/api/batches/{later}/dispatches", new { to = sorter.Id, massKg = 50m, occurredAt = "2025-01-11T02:00:00Z" });
        await CaughtUpAsync();
        var asOf = InstantPattern(before);
        var exact = (await FlowAsync("2025-01", asOf), await statistician.GetStringAsync($"/api/statistics/indicators?period=2025&asOf={asOf}"));
        Assert.Equal(monthly.Item1, exact.Item1);
        Assert.Equal(monthly.Item2.Replace(Far, "", StringComparison.Ordinal), exact.Item2.Replace(asOf, "", StringComparison.Ordinal));
        Assert.Equal((50m, 300m, 250m), await FlowAsync("2025-01", Far));
        // Read back from all time, the later dispatch is taken off again for the periods before it, and counted on the road after.
        Assert.Equal((500m, 0m, 500m), await FlowAsync("2024", Far));
        Assert.Equal((0m, 0m, 250m), await FlowAsync("2026", Far));
        // As recorded before it: the periods it does not touch from their own sums, the others from the facts, all without it.
        Assert.Equal((500m, 0m, 500m), await FlowAsync("2024", asOf));
        Assert.Equal((0m, 0m, 200m), await FlowAsync("2026", asOf));
        // Read forward from the year sums (the way before the all-time sums), every period gives the same flows.
        var figures = Api.Services.GetRequiredService<Traceability.Statistics.Figures>();
        var now = SystemClock.Instance.GetCurrentInstant();
        foreach (var period in new[] { "2024", "2024-12", "2025-01", "2025-Q1", "2025", "2026" }.Select(p => Traceability.Statistics.Period.Parse(p)!))
            Assert.Equal(await figures.FlowsReadForwardAsync(period, now, null, default), await figures.FlowsAsync(period, now, null, default));
    }

    [Fact]
    public async Task a_store_summed_in_the_earlier_layout_is_summed_again_at_start_up_to_the_same_figures()
    {
        await ScriptAsync();
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();
        var source = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        async Task<string> FiguresAsync() => string.Join("\n",
            await statistician.GetStringAsync($"/api/statistics/indicators?period=2025&asOf={Far}"),
            await statistician.GetStringAsync($"/api/statistics/flows?period=2025&asOf={Far}"));
        var before = await FiguresAsync();
        Assert.False(await Traceability.Statistics.StatisticsLayout.UpgradeAsync(source, default));

        // The earlier layout: no nation sums, no yearly or all-time flow sums, no layout mark.
        await using (var old = source.CreateCommand(
            "delete from traceability.stat_monthly where city = '*' or month = 'T' or (month like 'Y%' and measure <> 'stock'); delete from traceability.stat_layout"))
            await old.ExecuteNonQueryAsync();
        Assert.NotEqual(before, await FiguresAsync());

        Assert.True(await Traceability.Statistics.StatisticsLayout.UpgradeAsync(source, default));
        Assert.Equal(before, await FiguresAsync());
    }

    static string InstantPattern(Instant at) => NodaTime.Text.InstantPattern.ExtendedIso.Format(at);

    async Task<(Party EstateA, Party Sorter)> ScriptAsync()
    {
        var chain = new Chain(Api);
        var estateA = await Party(chain, "320700", "generator");
        var estateB = await Party(chain, "320200", "generator");
        var sorter = await Party(chain, "320700", "sorter", "construction-waste", "collect", "sort", "dispose", "reuse");

        var decoration = await At(estateA, "decoration-waste", 10_000m, "2025-03-31T17:00:00Z");
        var spoil = await At(estateB, "construction-spoil", 4_000m, "2025-04-10T02:00:00Z");
        await Move(estateA, sorter, decoration, 10_000m, "2025-04-01T01:00:00Z", "2025-04-02T01:00:00Z");
        await Move(estateB, sorter, spoil, 4_000m, "2025-04-11T01:00:00Z", "2025-04-12T01:00:00Z");
        var fractions = (await PostAsync(sorter, $"/api/batches/{decoration}/sorting", new
        {
            fractions = new[] { Out("recycled-aggregate", 7_000m), Out("scrap-steel", 1_000m), Out("construction-debris", 1_900m) },
            losses = new[] { Lost("moisture", 100m, "dried") },
            occurredAt = "2025-04-20T02:00:00Z",
        })).GetProperty("children").EnumerateArray().Select(c => c.GetProperty("batchId").GetGuid()).ToArray();
        await PostAsync(sorter, $"/api/batches/{fractions[2]}/fates", new { fate = "disposal", method = "landfill", massKg = 1_900m, occurredAt = "2025-04-25T02:00:00Z" });
        await PostAsync(sorter, $"/api/batches/{spoil}/fates", new { fate = "reuse", massKg = 4_000m, note = "backfill", occurredAt = "2025-05-03T02:00:00Z" });
        return (estateA, sorter);
    }

    static JsonElement View(JsonElement city, string view) => city.GetProperty("views").EnumerateArray().Single(v => v.GetProperty("view").GetString() == view);
    static JsonElement Category(JsonElement city, string view, string code) =>
        View(city, view).GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == code);
    static decimal Kg(JsonElement category, string measure) => category.GetProperty("measures").TryGetProperty(measure, out var m) ? m.GetProperty("kg").GetDecimal() : 0m;
    static decimal Stock(JsonElement category) => category.GetProperty("stockKg").GetDecimal();
    static JsonElement Indicator(JsonElement view, string code) => view.GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("code").GetString() == code);

    [Fact]
    public async Task a_citys_figures_match_the_hand_worked_script_and_a_late_report_changes_only_what_asof_allows()
    {
        var (estateA, _) = await ScriptAsync();
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();

        // Midnight China time: 17:00 UTC on 31 March is April, so March has no figure in any view.
        var march = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320700?period=2025-03");
        Assert.Equal(0, march.GetProperty("views").GetArrayLength());

        var april = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320700?period=2025-04");
        // Origin view: Lianyungang's decoration waste and what became of it: 7,000 kg recycled aggregate out of sorting (its first
        // utilization), 100 kg lost, the 1,900 kg debris landfilled, the 1,000 kg steel still held. Wuxi's spoil is Wuxi's.
        var decoration = Category(april, "origin", "decoration-waste");
        Assert.Equal((10_000m, 10_000m, 7_000m, 100m, 1_900m, 1_000m), (Kg(decoration, "generated"), Kg(decoration, "collected"), Kg(decoration, "utilized-product"),
            Kg(decoration, "declared-loss"), Kg(decoration, "disposed-d1"), Stock(decoration)));
        Assert.Single(View(april, "origin").GetProperty("categories").EnumerateArray());
        // Site view: what happened at Lianyungang's sites, whatever the origin.
        var siteDecoration = Category(april, "site", "decoration-waste");
        Assert.Equal((10_000m, 10_000m, 10_000m, 100m, 0m), (Kg(siteDecoration, "received"), Kg(siteDecoration, "sorted"), Kg(siteDecoration, "collected"),
            Kg(siteDecoration, "losses"), Stock(siteDecoration)));
        var siteSpoil = Category(april, "site", "construction-spoil");
        Assert.Equal((0m, 4_000m, 4_000m), (Kg(siteSpoil, "generated"), Kg(siteSpoil, "received"), Stock(siteSpoil)));
        Assert.Equal((7_000m, 7_000m), (Kg(Category(april, "site", "recycled-aggregate"), "produced"), Stock(Category(april, "site", "recycled-aggregate"))));
        Assert.Equal((1_900m, 0m), (Kg(Category(april, "site", "construction-debris"), "disposed-d1"), Stock(Category(april, "site", "construction-debris"))));
        var wuxi = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320200?period=2025-Q2");
        var wuxiSpoil = Category(wuxi, "origin", "construction-spoil");
        Assert.Equal((4_000m, 4_000m, 0m), (Kg(wuxiSpoil, "generated"), Kg(wuxiSpoil, "utilized-reuse"), Stock(wuxiSpoil)));

        var flows = (await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/flows?period=2025-Q2")).GetProperty("flows").EnumerateArray()
            .Select(f => (f.GetProperty("fromCity").GetString(), f.GetProperty("toCity").GetString(), f.GetProperty("category").GetString(), f.GetProperty("sentKg").GetDecimal(),
                f.GetProperty("receivedKg").GetDecimal(), f.GetProperty("inTransitKg").GetDecimal())).ToList();
        Assert.Equal([("320200", "320700", "construction-spoil", 4_000m, 4_000m, 0m), ("320700", "320700", "decoration-waste", 10_000m, 10_000m, 0m)], flows);

        // Q2, by origin: 10,000 kg of construction waste generated in 320700, 7,000 kg of it utilized as recycled aggregate: 70% against a
        // 70% target. Wuxi's spoil reused in Lianyungang counts for Wuxi (100%), not for Lianyungang.
        var q2 = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/indicators?city=320700&period=2025-Q2");
        var construction = Indicator(q2, "construction-waste-utilization-rate");
        Assert.Equal((70m, 70m, 0m, true), (construction.GetProperty("value").GetDecimal(), construction.GetProperty("targetForPeriod").GetDecimal(),
            construction.GetProperty("gap").GetDecimal(), construction.GetProperty("onTrack").GetBoolean()));
        Assert.Equal(("origin", 2025), (construction.GetProperty("view").GetString(), construction.GetProperty("target").GetProperty("year").GetInt32()));
        Assert.Contains("lianyungang-2022", construction.GetProperty("target").GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, Indicator(q2, "used-car-transactions").GetProperty("value").ValueKind);
        var wuxiQ2 = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/indicators?city=320200&period=2025-Q2");
        Assert.Equal(100m, Indicator(wuxiQ2, "construction-waste-utilization-rate").GetProperty("value").GetDecimal());

        // A late report: 2,000 kg more decoration waste generated on 15 April, recorded after the figures above were published.
        var before = q2.GetProperty("asOf").GetString();
        await At(estateA, "decoration-waste", 2_000m, "2025-04-15T02:00:00Z");
        await CaughtUpAsync();
        var now = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320700?period=2025-04&category=decoration-waste");
        Assert.Equal(12_000m, Kg(Category(now, "origin", "decoration-waste"), "generated"));
        var published = await statistician.GetFromJsonAsync<JsonElement>($"/api/statistics/cities/320700?period=2025-04&category=decoration-waste&asOf={before}");
        Assert.Equal(10_000m, Kg(Category(published, "origin", "decoration-waste"), "generated"));
        var lateRate = Indicator(await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/indicators?city=320700&period=2025-Q2"), "construction-waste-utilization-rate");
        Assert.Equal(58.33m, lateRate.GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task stock_carried_over_a_year_end_counts_in_the_comprehensive_rate_and_not_in_the_newly_generated_one()
    {
        var chain = new Chain(Api);
        var plant = await Party(chain, "320700", "generator", "bulk-solid-waste", "recycle");
        var old = await At(plant, "fly-ash", 1_000m, "2024-12-20T02:00:00Z");
        var fresh = await At(plant, "fly-ash", 2_000m, "2025-03-01T02:00:00Z");
        await PostAsync(plant, $"/api/batches/{old}/fates", new { fate = "recycling", massKg = 600m, outputs = new[] { Out("building-materials", 600m) }, occurredAt = "2025-01-10T02:00:00Z" });
        await PostAsync(plant, $"/api/batches/{fresh}/fates", new { fate = "recycling", massKg = 1_000m, outputs = new[] { Out("building-materials", 1_000m) }, occurredAt = "2025-06-10T02:00:00Z" });
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();

        var y2024 = Category(await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320700?period=2024"), "origin", "fly-ash");
        Assert.Equal((1_000m, 1_000m), (Kg(y2024, "generated"), Stock(y2024)));
        var y2025 = Category(await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320700?period=2025"), "origin", "fly-ash");
        Assert.Equal((2_000m, 1_600m, 1_400m), (Kg(y2025, "generated"), Kg(y2025, "utilized-recycling"), Stock(y2025)));
        var indicators = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/indicators?city=320700&period=2025");
        // Comprehensive: utilized in 2025 (1,000 of 2025's + 600 of 2024's stock) / (generated in 2025 + 600 of earlier stock utilized).
        var general = Indicator(indicators, "general-industrial-solid-waste-utilization-rate");
        Assert.Equal((61.54m, 1_600m, 2_600m), (general.GetProperty("value").GetDecimal(), general.GetProperty("numerator").GetDecimal(), general.GetProperty("denominator").GetDecimal()));
        // Newly generated (新增): only 2025's waste utilized by the end of 2025, over 2025's generation.
        Assert.Equal(50m, Indicator(indicators, "bulk-solid-waste-utilization-rate").GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task every_statistics_endpoint_answers_csv_with_a_header_and_units()
    {
        await ScriptAsync();
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();
        statistician.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var city = await statistician.GetAsync("/api/statistics/cities/320700?period=2025");
        Assert.Equal("text/csv", city.Content.Headers.ContentType?.MediaType);
        var lines = (await city.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("city,period,view,category,measure,kg,units", lines[0].TrimEnd('\r'));
        Assert.Contains("320700,2025,site,decoration-waste,sorted,10000,0", lines.Select(l => l.TrimEnd('\r')));
        Assert.Contains("320700,2025,origin,decoration-waste,utilized-product,7000,0", lines.Select(l => l.TrimEnd('\r')));
        var flows = await statistician.GetStringAsync("/api/statistics/flows?period=2025");
        Assert.StartsWith("period,fromCity,toCity,category,sentKg,receivedKg,inTransitKg,weighingDifferenceKg", flows);
        var indicators = await statistician.GetStringAsync("/api/statistics/indicators?city=320700&period=2025");
        Assert.StartsWith("indicator,view,scope,period,value,unit,", indicators);
        Assert.Contains("construction-waste-utilization-rate,origin,320700,2025,70,percent,", indicators);
    }

    [Fact]
    public async Task freshness_reports_the_events_and_seconds_the_projection_is_behind()
    {
        var statistician = await StatisticianAsync();
        var coordinator = Api.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            var (_, generator) = await Api.EnterpriseAsync("320700", "generator");
            await Chain.RegisterAsync(generator);
            await Task.Delay(300);
            var behind = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/freshness");
            Assert.True(behind.GetProperty("lagEvents").GetInt64() >= 1, behind.ToString());
            Assert.True(behind.GetProperty("lagSeconds").GetDouble() >= 0.2, behind.ToString());
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        await CaughtUpAsync();
        Assert.Equal(0d, (await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/freshness")).GetProperty("lagSeconds").GetDouble());
    }

    [Fact]
    public async Task bad_periods_and_cities_are_refused_naming_the_field()
    {
        var statistician = await StatisticianAsync();
        var response = await statistician.GetAsync("/api/statistics/cities/999999?period=2025-13&asOf=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Chain.ProblemAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("period", out _) && errors.TryGetProperty("city", out _) && errors.TryGetProperty("asOf", out _));
        var (_, enterprise) = await Api.EnterpriseAsync("320700", "generator");
        Assert.Equal(HttpStatusCode.Forbidden, (await enterprise.GetAsync("/api/statistics/flows?period=2025")).StatusCode);
    }

    [Fact]
    public async Task rebuilding_the_projection_from_the_event_log_gives_identical_figures()
    {
        await ScriptAsync();
        var chain = new Chain(Api);
        var random = new Random(5);
        var generators = new List<Party>();
        foreach (var city in new[] { "320200", "320700", "410100" }) generators.Add(await chain.PartyAsync(city, "generator"));
        var collector = await chain.PartyAsync("410100", "collector", "renewable-resource", "collect", "recycle");
        for (var i = 0; i < 12; i++)
        {
            var generator = generators[random.Next(generators.Count)];
            var kg = random.Next(100, 900);
            var batch = await At(generator, "waste-paper", kg, $"2025-{1 + i % 12:D2}-15T04:00:00Z");
            if (i % 3 == 0) continue;
            await Move(generator, collector, batch, kg, $"2025-{1 + i % 12:D2}-16T04:00:00Z", $"2025-{1 + i % 12:D2}-17T04:00:00Z");
            if (i % 2 == 0) await PostAsync(collector, $"/api/batches/{batch}/fates", new { fate = "recycling", massKg = kg, outputs = new[] { Out("recycled-pulp", kg - 10) }, losses = new[] { Lost("moisture", 10m, "dried") }, occurredAt = $"2025-{1 + i % 12:D2}-20T04:00:00Z" });
        }
        var statistician = await StatisticianAsync();
        await CaughtUpAsync();
        async Task<string> SnapshotAsync() => string.Join("\n",
            await statistician.GetStringAsync($"/api/statistics/cities/320700?period=2025&asOf={Far}"),
            await statistician.GetStringAsync($"/api/statistics/cities/410100?period=2025&asOf={Far}"),
            await statistician.GetStringAsync($"/api/statistics/flows?period=2025&asOf={Far}"),
            await statistician.GetStringAsync($"/api/statistics/indicators?period=2025&asOf={Far}"));
        var before = await SnapshotAsync();
        Assert.Contains("waste-paper", before);

        var coordinator = Api.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        var daemon = coordinator.DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync("statistics", CancellationToken.None);
        await CaughtUpAsync();

        Assert.Equal(before, await SnapshotAsync());
    }
}
