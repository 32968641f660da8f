using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Statistics;

/// <summary>
/// Every indicator of seeds/indicators.json for one scripted city, Lianyungang (320700), in 2025, against figures worked out by
/// hand below: industrial solid waste used, burnt and landfilled, hazardous waste carried over from 2024, sludge burnt as a fuel
/// and incinerated, agricultural film collected in another city. The "falling" and "rising" rows compare with 2024.
/// </summary>
public sealed class CityIndicatorTests(ApiFixture api) : ApiTest(api)
{
    static async Task<Guid> At(Party party, string category, decimal kg, string day) =>
        (await PostAsync(party, "/api/batches", new { category, massKg = kg, occurredAt = $"{day}T02:00:00Z", wasteCode = TestCodes.WasteCodeOf(category) }))
        .GetProperty("id").GetGuid();

    static Task<JsonElement> Recycled(Party party, Guid batch, decimal kg, string into, string day) =>
        PostAsync(party, $"/api/batches/{batch}/fates", new { fate = "recycling", massKg = kg, outputs = new[] { Out(into, kg) }, occurredAt = $"{day}T02:00:00Z" });

    static Task<JsonElement> Disposed(Party party, Guid batch, decimal kg, string method, string day) =>
        PostAsync(party, $"/api/batches/{batch}/fates", new { fate = "disposal", method, massKg = kg, occurredAt = $"{day}T02:00:00Z" });

    static Task<JsonElement> Burnt(Party party, Guid batch, decimal kg, string operationCode, string day) =>
        PostAsync(party, $"/api/batches/{batch}/fates", new { fate = "energy-recovery", operationCode, massKg = kg, occurredAt = $"{day}T02:00:00Z" });

    async Task<Dictionary<string, JsonElement>> IndicatorsAsync(HttpClient statistician, string city, string period) =>
        (await statistician.GetFromJsonAsync<JsonElement>($"/api/statistics/indicators?city={city}&period={period}")).GetProperty("indicators").EnumerateArray()
        .ToDictionary(i => i.GetProperty("code").GetString()!);

    static decimal? Value(JsonElement indicator) => indicator.GetProperty("value") is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : null;

    [Fact]
    public async Task every_indicator_of_a_scripted_city_matches_the_figures_worked_by_hand()
    {
        var chain = new Chain(Api);
        var plant = await chain.PartyAsync("320700", "generator", "industrial-solid-waste", "recycle", "dispose", "recover-energy");
        foreach (var (group, activity) in new[] { ("bulk-solid-waste", "recycle"), ("hazardous-waste", "recycle"), ("hazardous-waste", "dispose"), ("municipal-solid-waste", "recover-energy") })
            await Api.GrantAsync(plant.Id, activity, group);
        var farm = await chain.PartyAsync("320700", "generator");
        var collector = await chain.PartyAsync("320200", "collector", "agricultural", "collect");

        // 2024: alkali residue 1,000 kg, 400 recycled; lead waste (HW31) 500 kg, 300 landfilled.
        var alkali = await At(plant, "alkali-residue", 1_000m, "2024-03-05");
        await Recycled(plant, alkali, 400m, "building-materials", "2024-05-05");
        var lead = await At(plant, "hw31", 500m, "2024-04-05");
        await Disposed(plant, lead, 300m, "landfill", "2024-06-05");

        // 2025.
        await Recycled(plant, alkali, 300m, "building-materials", "2025-03-05");       // 2024's stock: 300 utilized, 300 still held
        await At(plant, "alkali-residue", 200m, "2025-04-05");                          // held at the year's end
        await Recycled(plant, lead, 200m, "recycled-lead", "2025-02-05");              // 2024's hazardous stock utilized
        var gypsum = await At(plant, "byproduct-gypsum", 1_000m, "2025-02-05");
        await Recycled(plant, gypsum, 900m, "building-materials", "2025-07-05");       // 100 held
        var flyAsh = await At(plant, "hw18", 800m, "2025-05-05");
        await Disposed(plant, flyAsh, 250m, "landfill", "2025-06-05");
        await Recycled(plant, flyAsh, 200m, "building-materials", "2025-08-05");       // 350 held
        var salt = await At(plant, "chemical-waste-salt", 600m, "2025-03-05");
        await Disposed(plant, salt, 600m, "incineration", "2025-04-05");                // D10
        var sludge = await At(plant, "industrial-sludge", 1_000m, "2025-05-05");
        await Burnt(plant, sludge, 700m, "R1", "2025-06-05");
        await Disposed(plant, sludge, 300m, "landfill", "2025-07-05");
        var sewage = await At(plant, "sewage-sludge", 2_000m, "2025-06-05");
        await Burnt(plant, sewage, 1_500m, "D10", "2025-09-05");                        // 500 held
        var film = await At(farm, "agricultural-film", 2_000m, "2025-03-05");
        await At(farm, "agricultural-film", 500m, "2025-04-05");                        // never collected
        var manifest = (await PostAsync(farm, $"/api/batches/{film}/dispatches", new { to = collector.Id, massKg = 2_000m, occurredAt = "2025-03-10T02:00:00Z" }))
            .GetProperty("manifestId").GetGuid();
        await PostAsync(collector, $"/api/batches/{film}/dispatches/{manifest}/receipt", new { massKg = 2_000m, occurredAt = "2025-03-11T02:00:00Z" }, HttpStatusCode.OK);
        await Api.ProjectionsCaughtUpAsync();

        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));
        var lianyungang = await IndicatorsAsync(statistician, "320700", "2025");
        var expected = new Dictionary<string, decimal?>
        {
            // Origin view, comprehensive: utilized in 2025 / (generated in 2025 + earlier stock utilized in 2025).
            // Hazardous (R1 and disposal not counted): (200 fly ash recycled + 200 of 2024's lead) / (800 + 200).
            ["hazardous-waste-utilization-rate"] = 40.00m,
            ["gypsum-utilization-rate"] = 90.00m,                                  // 900 / 1,000
            // General industrial solid waste, R1 counted: (gypsum 900 + alkali 300 + sludge R1 700) / (gypsum 1,000 + alkali 200 + salt 600
            // + sludge 1,000 + the alkali stock of 2024 utilized, 300) = 1,900 / 3,100.
            ["general-industrial-solid-waste-utilization-rate"] = 61.29m,
            ["msw-fly-ash-utilized-or-disposed-rate"] = 56.25m,                    // (200 recycled + 250 D1) / 800
            ["chemical-waste-salt-utilized-or-disposed-rate"] = 100.00m,           // 600 D10 / 600
            ["industrial-sludge-treated-rate"] = 100.00m,                          // (700 R1 + 300 D1) / 1,000
            ["sewage-sludge-treated-rate"] = 75.00m,                               // 1,500 burnt under D10 / 2,000
            // Newly generated (新增): the gypsum of 2025 utilized in 2025 / generated: 900 / 1,000.
            ["bulk-solid-waste-utilization-rate"] = 90.00m,
            // Recovery, by origin: the film collected in Wuxi counts for Lianyungang, where it arose: 2,000 / 2,500.
            ["agricultural-film-recovery-rate"] = 80.00m,
            // Tonnages: 900 kg of bulk waste in 10^4 t, rounded to four places; alkali 300 kg; HW18 landfilled 250 kg; general industrial
            // solid waste held at the year's end (gypsum 100 + alkali 300 + 200) plus disposed (salt 600 D10 + sludge 300 D1): 1,500 kg.
            ["bulk-solid-waste-utilized"] = 0.0001m,
            ["alkali-residue-utilized"] = 0.3m,
            ["industrial-hazardous-waste-landfilled"] = 0.25m,
            ["general-industrial-solid-waste-stored-and-disposed"] = 1.5m,
            // Nothing of these arose or was handled in Lianyungang: tonnages and counts are zero, rates have no denominator.
            ["main-renewable-resources-utilized"] = 0m,
            ["recovered-tonnage"] = 0m,                                            // the film was collected at a Wuxi site
            ["renewable-resources-processed"] = 0m,
            ["scrapped-vehicles-dismantled"] = 0m,
            ["battery-dismantling-capacity"] = 0m,
            ["recycling-enterprises"] = 0m,                                        // the enterprises were registered after 2025
            ["renewable-resource-recovery-rate"] = null,
            ["construction-waste-utilization-rate"] = null,
            ["straw-utilization-rate"] = null,
            ["battery-dismantling-utilization"] = null,
            // Not measurable from the event log: no value, whatever happened.
            ["used-car-transactions"] = null,
            ["household-waste-recovery-rate"] = null,
            ["hazardous-household-waste-disposal-rate"] = null,
        };
        Assert.Equal(expected.Keys.Order(), lianyungang.Keys.Order());
        Assert.All(expected, e => Assert.True(e.Value == Value(lianyungang[e.Key]), $"{e.Key}: expected {e.Value}, got {lianyungang[e.Key].GetProperty("value")}"));

        // The same numerators and denominators, in kg, where the rate is built from them.
        Assert.Equal((1_900m, 3_100m), (lianyungang["general-industrial-solid-waste-utilization-rate"].GetProperty("numerator").GetDecimal(),
            lianyungang["general-industrial-solid-waste-utilization-rate"].GetProperty("denominator").GetDecimal()));
        Assert.Equal(900m, lianyungang["bulk-solid-waste-utilized"].GetProperty("numerator").GetDecimal());

        // Falling and rising targets against 2024: alkali utilized 400 kg then 300 (not rising); hazardous waste landfilled 300 kg then
        // 250 (falling); general industrial solid waste stored and disposed 600 kg (the alkali held) then 1,500 (not falling).
        static (decimal, bool, decimal) Compared(JsonElement i) =>
            (i.GetProperty("yearEarlier").GetDecimal(), i.GetProperty("onTrack").GetBoolean(), i.GetProperty("gap").GetDecimal());
        Assert.Equal((0.4m, false, 0.1m), Compared(lianyungang["alkali-residue-utilized"]));
        Assert.Equal((0.3m, true, 0.05m), Compared(lianyungang["industrial-hazardous-waste-landfilled"]));
        Assert.Equal((0.6m, false, -0.9m), Compared(lianyungang["general-industrial-solid-waste-stored-and-disposed"]));
        // The 2025 target for agricultural film is above 95 %: 80 % is short of it.
        Assert.False(lianyungang["agricultural-film-recovery-rate"].GetProperty("onTrack").GetBoolean());

        // Wuxi collected the film: its sites' recovered tonnage (2,000 kg in 10^4 t), none of the film's recovery rate; and its
        // collector, registered today, counts among the city's recycling enterprises this year.
        var wuxi = await IndicatorsAsync(statistician, "320200", "2025");
        Assert.Equal((0.0002m, null), (Value(wuxi["recovered-tonnage"]), Value(wuxi["agricultural-film-recovery-rate"])));
        var thisYear = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).Year;
        Assert.Equal(1m, Value((await IndicatorsAsync(statistician, "320200", $"{thisYear}"))["recycling-enterprises"]));
    }
}
