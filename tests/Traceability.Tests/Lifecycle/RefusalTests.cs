using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Lifecycle;

/// <summary>What a licensed, mass-balanced chain would not allow is refused with a problem naming the rule, and nothing is stored.</summary>
public sealed class RefusalTests(ApiFixture api) : ApiTest(api)
{
    /// <summary>The batches' events, once the rules the last write set off have run (alerts are not the refused command's).</summary>
    async Task<long> EventCountAsync()
    {
        await Api.SettledAsync();
        await using var session = Api.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName.StartsWith("batch_")).CountAsync();
    }

    async Task<(Chain Chain, Party Sorter, Guid Batch)> ReceivedDecorationWasteAsync()
    {
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        var sorter = await chain.PartyAsync("320700", "sorter", "construction-waste", "sort", "dispose");
        var batch = await chain.RegisterAsync(estate, "decoration-waste", 1_000m);
        await chain.TransferAsync(estate, sorter, batch, 1_000m);
        return (chain, sorter, batch);
    }

    [Fact]
    public async Task a_sorting_out_of_balance_is_a_400_with_the_sums_and_stores_nothing()
    {
        var (chain, sorter, batch) = await ReceivedDecorationWasteAsync();
        var before = await EventCountAsync();

        var response = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/sorting",
            new { fractions = new[] { Out("recycled-aggregate", 700m), Out("scrap-steel", 200m) }, losses = new[] { Lost("moisture", 50m, "dried") }, occurredAt = chain.Next() },
            ApiFixture.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Chain.ProblemAsync(response);
        Assert.Contains("beyond the 0.5% mass-balance tolerance", problem.GetProperty("errors").GetProperty("fractions")[0].GetString());
        var sums = problem.GetProperty("massBalance");
        Assert.Equal((1_000m, 900m, 50m, -50m), (sums.GetProperty("inputKg").GetDecimal(), sums.GetProperty("outputsKg").GetDecimal(),
            sums.GetProperty("lossesKg").GetDecimal(), sums.GetProperty("differenceKg").GetDecimal()));
        Assert.Equal(before, await EventCountAsync());
        Assert.Equal("received", (await StateAsync(sorter, batch)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task within_the_tolerance_the_sorting_balances_and_the_parent_takes_nothing_more()
    {
        var (chain, sorter, batch) = await ReceivedDecorationWasteAsync();
        // 996 kg of 1000: 0.4% off, inside the 0.5% default.
        await chain.SortAsync(sorter, batch, [Out("recycled-aggregate", 800m), Out("scrap-steel", 196m)]);

        var dispose = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/fates", new { fate = "disposal", method = "landfill", massKg = 10m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, dispose.StatusCode);
        Assert.Contains("nothing further may be posted", (await Chain.ProblemAsync(dispose)).GetProperty("detail").GetString());
        var split = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/splitting", new { parts = new[] { new { massKg = 500m }, new { massKg = 500m } }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, split.StatusCode);
    }

    [Fact]
    public async Task a_fraction_of_the_batchs_own_category_and_a_fate_the_category_does_not_allow_are_refused()
    {
        var (chain, sorter, batch) = await ReceivedDecorationWasteAsync();

        var same = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/sorting",
            new { fractions = new[] { Out("decoration-waste", 500m), Out("scrap-steel", 500m) }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("split it", await Chain.FieldRuleAsync(same, "fractions[0].category"));

        var cascade = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/fates", new { fate = "cascade-use", massKg = 1_000m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("may come to reuse, recycling, disposal", await Chain.FieldRuleAsync(cascade, "fate"));

        var dismantle = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/dismantling",
            new { outputs = new[] { Out("scrap-steel", 1_000m) }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, dismantle.StatusCode);
    }

    [Fact]
    public async Task a_partial_fate_leaves_the_rest_and_a_fate_beyond_the_rest_is_refused()
    {
        var (chain, sorter, batch) = await ReceivedDecorationWasteAsync();

        var first = await chain.FateAsync(sorter, batch, "disposal", 400m, method: "landfill");
        Assert.Equal((600m, "received"), (first.GetProperty("remainingKg").GetDecimal(), first.GetProperty("status").GetString()));
        var tooMuch = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/fates", new { fate = "disposal", method = "landfill", massKg = 700m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("only 600 kg", await Chain.FieldRuleAsync(tooMuch, "massKg"));
        var noMethod = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/fates", new { fate = "disposal", massKg = 600m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("landfill or incineration", await Chain.FieldRuleAsync(noMethod, "method"));

        var rest = await chain.FateAsync(sorter, batch, "disposal", 600m, method: "incineration");
        Assert.Equal((0m, "ended"), (rest.GetProperty("remainingKg").GetDecimal(), rest.GetProperty("status").GetString()));
        var dispatchEnded = await sorter.Client.PostAsJsonAsync($"/api/batches/{batch}/dispatches", new { to = sorter.Id, massKg = 1m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, dispatchEnded.StatusCode);
    }

    [Fact]
    public async Task a_vin_belongs_to_its_batch_for_life_and_registering_it_after_dismantling_is_a_409_and_a_reused_identifier_alert()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var dismantler = await chain.PartyAsync("410100", "dismantler", "scrapped-vehicle", "dismantle");
        var vin = TestCodes.Vin();
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_200m, 1, new { kind = "vin", value = vin });

        var twice = await owner.Client.PostAsJsonAsync("/api/batches",
            new { category = "scrapped-vehicle", massKg = 1_200m, identifier = new { kind = "vin", value = vin }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var problem = await Chain.ProblemAsync(twice);
        Assert.Equal(vehicle, problem.GetProperty("heldBy").GetGuid());
        Assert.Contains(vehicle.ToString(), problem.GetProperty("errors").GetProperty("identifier.value")[0].GetString());

        Assert.Equal("generated", problem.GetProperty("holderStatus").GetString());

        await chain.TransferAsync(owner, dismantler, vehicle, 1_200m);
        await chain.DismantleAsync(dismantler, vehicle, [Out("scrap-steel", 1_200m)]);
        var cloned = await chain.PartyAsync("320200", "generator");
        var again = await cloned.Client.PostAsJsonAsync("/api/batches",
            new { category = "scrapped-vehicle", massKg = 1_150m, identifier = new { kind = "vin", value = vin }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var afterLife = await Chain.ProblemAsync(again);
        Assert.Equal(("transformed", vehicle), (afterLife.GetProperty("holderStatus").GetString(), afterLife.GetProperty("heldBy").GetGuid()));
        Assert.Contains("belongs for life", afterLife.GetProperty("detail").GetString());

        // One refusal is enough: a code whose vehicle was dismantled coming back is a clone.
        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var alert = Assert.Single((await regulator.GetFromJsonAsync<JsonElement>("/api/alerts?rule=reused-identifier")).EnumerateArray());
        Assert.Equal(vehicle, alert.GetProperty("batchId").GetGuid());
        Assert.Contains(cloned.Id, alert.GetProperty("enterprises").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("320200", alert.GetProperty("cities").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task dismantled_modules_need_their_own_module_codes_each_unused()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var recycler = await chain.PartyAsync("320200", "recycler", "power-battery", "dismantle");
        var pack = await chain.RegisterAsync(dealer, "power-battery", 100m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });
        var liveModule = TestCodes.BatteryCode('M');
        var loose = await chain.RegisterAsync(dealer, "battery-module", 50m, 1, new { kind = "battery-code", value = liveModule });
        await chain.TransferAsync(dealer, recycler, pack, 100m);

        var uncoded = await recycler.Client.PostAsJsonAsync($"/api/batches/{pack}/dismantling",
            new { outputs = new[] { Out("battery-module", 50m, 1), Coded("battery-module", 50m, "battery-code", TestCodes.BatteryCode('P')) }, occurredAt = chain.Next() }, ApiFixture.Json);
        var problem = (await Chain.ProblemAsync(uncoded)).GetProperty("errors");
        Assert.Contains("is required", problem.GetProperty("outputs[0].identifier")[0].GetString());
        Assert.Contains("product type 'M'", problem.GetProperty("outputs[1].identifier.value")[0].GetString());

        var held = await recycler.Client.PostAsJsonAsync($"/api/batches/{pack}/dismantling",
            new { outputs = new[] { Coded("battery-module", 50m, "battery-code", TestCodes.BatteryCode('M')), Coded("battery-module", 50m, "battery-code", liveModule) }, occurredAt = chain.Next() },
            ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, held.StatusCode);
        Assert.Equal(loose, (await Chain.ProblemAsync(held)).GetProperty("heldBy").GetGuid());
    }

    [Fact]
    public async Task hazardous_wastes_of_different_kinds_are_never_merged_and_only_the_holder_merges()
    {
        var chain = new Chain(Api);
        var plant = await chain.PartyAsync("320200", "generator");
        var other = await chain.PartyAsync("320200", "generator");
        var oil = await chain.RegisterAsync(plant, "hw08", 500m);
        var acid = await chain.RegisterAsync(plant, "hw34", 500m);
        var foreign = await chain.RegisterAsync(other, "hw08", 500m);

        var mixed = await plant.Client.PostAsJsonAsync("/api/batches/merge", new { batches = new[] { oil, acid }, category = "hw08", occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("hazardous waste is merged only with the same kind", await Chain.FieldRuleAsync(mixed, "batches"));
        var notMine = await plant.Client.PostAsJsonAsync("/api/batches/merge", new { batches = new[] { oil, foreign }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
        Assert.Equal("generated", (await StateAsync(plant, oil)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task splitting_keeps_unit_counts_exact()
    {
        var chain = new Chain(Api);
        var retailer = await chain.PartyAsync("320200", "generator");
        var tvs = await chain.RegisterAsync(retailer, "weee-television", 300m, 20);

        var wrong = await retailer.Client.PostAsJsonAsync($"/api/batches/{tvs}/splitting",
            new { parts = new[] { new { massKg = 150m, units = 10 }, new { massKg = 150m, units = 9 } }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("units add up to 19, but the batch has 20", await Chain.FieldRuleAsync(wrong, "parts"));

        var parts = await chain.SplitAsync(retailer, tvs, new { massKg = 150m, units = 10 }, new { massKg = 150m, units = 10 });
        Assert.Equal(10, (await StateAsync(retailer, parts[1])).GetProperty("units").GetInt32());
    }
}
