using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Statistics;

/// <summary>
/// The worked example of shared/policy/statistics.md, posted as enterprises would and read back through the API:
/// every figure it lists, in every view. A Zhengzhou dealer's 300 kg pack, dismantled in Wuxi; two modules to
/// cascade use, four recycled into black mass, the black mass recycled into lithium carbonate and other
/// secondary material.
/// </summary>
public sealed class WorkedExampleTests(ApiFixture api) : ApiTest(api)
{
    static string June(int day, int hour = 2) => $"2025-06-{day:D2}T{hour:D2}:00:00Z";

    [Fact]
    public async Task the_worked_example_gives_every_figure_statistics_md_lists()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("410100", "generator");
        var recycler = await chain.PartyAsync("320200", "recycler", "power-battery", "collect", "dismantle", "cascade-use", "recycle");
        var pack = (await PostAsync(dealer, "/api/batches", new
        {
            category = "power-battery", massKg = 300m, units = 1, identifier = new { kind = "battery-code", value = TestCodes.BatteryCode('P') }, occurredAt = June(2),
        })).GetProperty("id").GetGuid();
        var manifest = (await PostAsync(dealer, $"/api/batches/{pack}/dispatches", new { to = recycler.Id, massKg = 300m, occurredAt = June(3) })).GetProperty("manifestId").GetGuid();
        await PostAsync(recycler, $"/api/batches/{pack}/dispatches/{manifest}/receipt", new { massKg = 300m, occurredAt = June(5) }, HttpStatusCode.OK);
        var parts = (await PostAsync(recycler, $"/api/batches/{pack}/dismantling", new
        {
            outputs = Enumerable.Range(0, 6).Select(_ => Coded("battery-module", 35m, "battery-code", TestCodes.BatteryCode('M')))
                .Append(Out("scrap-steel", 60m)).Append(Out("scrap-copper", 20m)).ToArray(),
            losses = new[] { Lost("process", 10m, "insulation and adhesive") },
            occurredAt = June(6),
        })).GetProperty("children").EnumerateArray().Select(c => c.GetProperty("batchId").GetGuid()).ToArray();
        var modules = parts[..6];
        await PostAsync(recycler, "/api/batches/cascade-use", new
        {
            batches = modules[..2], product = new { massKg = 70m, identifier = new { kind = "battery-code", value = TestCodes.BatteryCode('M') } }, occurredAt = June(8),
        });
        var lot = (await PostAsync(recycler, "/api/batches/merge", new { batches = modules[2..], occurredAt = June(9) })).GetProperty("lotId").GetGuid();
        var blackMass = (await PostAsync(recycler, $"/api/batches/{lot}/fates", new
        {
            fate = "recycling", massKg = 140m, outputs = new[] { Out("black-mass", 130m) }, losses = new[] { Lost("process", 10m, "casings") }, occurredAt = June(10),
        })).GetProperty("outputs")[0].GetProperty("batchId").GetGuid();
        await PostAsync(recycler, $"/api/batches/{blackMass}/fates", new
        {
            fate = "recycling", massKg = 130m, outputs = new[] { Out("lithium-carbonate", 20m), Out("nickel-sulfate", 100m) }, losses = new[] { Lost("process", 10m, "leach residue") },
            occurredAt = June(12),
        });

        await Api.ProjectionsCaughtUpAsync();
        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));

        // Origin view, Zhengzhou, power-battery, June 2025: generated 300; utilized 210 (cascade 70 + recycling input 140;
        // the black-mass step is not counted again); stored 80 (steel and copper, still held); declared loss at dismantling 10.
        var zhengzhou = await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/410100?period=2025-06");
        var origin = Category(View(zhengzhou, "origin"), "power-battery");
        Assert.Equal(300m, Kg(origin, "generated"));
        Assert.Equal((70m, 140m, 0m), (Kg(origin, "utilized-cascade-use"), Kg(origin, "utilized-recycling"), Kg(origin, "utilized-product")));
        Assert.Equal((80m, 10m), (origin.GetProperty("stockKg").GetDecimal(), Kg(origin, "declared-loss")));
        // Nothing of the pack's later life is counted under the categories it passed through: the origin is the pack.
        Assert.Single(View(zhengzhou, "origin").GetProperty("categories").EnumerateArray());

        // Site view, Wuxi, June 2025: received 300, dismantled 300 (1 pack), recycling input 270 (140 + 130),
        // secondary material produced 120, cascade-used 70.
        var wuxi = View(await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/cities/320200?period=2025-06"), "site");
        Assert.Equal((300m, 300m, 1L), (Kg(Category(wuxi, "power-battery"), "received"), Kg(Category(wuxi, "power-battery"), "dismantled"),
            Category(wuxi, "power-battery").GetProperty("measures").GetProperty("dismantled").GetProperty("units").GetInt64()));
        Assert.Equal(270m, Sum(wuxi, "recycled"));
        Assert.Equal((140m, 130m), (Kg(Category(wuxi, "battery-module"), "recycled"), Kg(Category(wuxi, "black-mass"), "recycled")));
        Assert.Equal(120m, Sum(wuxi, "produced"));
        Assert.Equal(70m, Sum(wuxi, "cascade-used"));

        // Material flow of the pack: cascade use 70, secondary material 120, losses 30 (10 + 10 + 10), held 80 (steel 60, copper 20): sum 300.
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var destinations = await regulator.GetFromJsonAsync<JsonElement>($"/api/batches/{pack}/destinations");
        var ends = destinations.GetProperty("byEnd").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("massKg").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { ["cascade-used"] = 70m, ["secondary-material"] = 120m, ["declared-loss"] = 30m, ["in-chain"] = 80m }, ends);
        Assert.Equal(300m, ends.Values.Sum());

        // Flows: 410100 -> 320200 power-battery June 2025: sent 300, received 300.
        var flow = Assert.Single((await statistician.GetFromJsonAsync<JsonElement>("/api/statistics/flows?period=2025-06")).GetProperty("flows").EnumerateArray());
        Assert.Equal(("410100", "320200", "power-battery", 300m, 300m, 0m, 0m), (flow.GetProperty("fromCity").GetString(), flow.GetProperty("toCity").GetString(),
            flow.GetProperty("category").GetString(), flow.GetProperty("sentKg").GetDecimal(), flow.GetProperty("receivedKg").GetDecimal(),
            flow.GetProperty("inTransitKg").GetDecimal(), flow.GetProperty("weighingDifferenceKg").GetDecimal()));
    }

    static JsonElement View(JsonElement city, string view) => city.GetProperty("views").EnumerateArray().Single(v => v.GetProperty("view").GetString() == view);

    static JsonElement Category(JsonElement view, string code) => view.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == code);

    static decimal Kg(JsonElement category, string measure) => category.GetProperty("measures").TryGetProperty(measure, out var m) ? m.GetProperty("kg").GetDecimal() : 0m;

    static decimal Sum(JsonElement view, string measure) => view.GetProperty("categories").EnumerateArray().Sum(c => Kg(c, measure));
}
