using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Lifecycle;

/// <summary>One realistic chain per category group, from generation to the fate of every kilogram, over HTTP on PostgreSQL.</summary>
public sealed class EndToEndTests(ApiFixture api) : ApiTest(api)
{
    static string Status(JsonElement state) => state.GetProperty("status").GetString()!;
    static decimal Remaining(JsonElement state) => state.GetProperty("remainingKg").GetDecimal();
    static Guid[] Parents(JsonElement state) => state.GetProperty("parents").EnumerateArray().Select(p => p.GetProperty("batchId").GetGuid()).ToArray();

    [Fact]
    public async Task power_battery_pack_from_dealer_to_lithium_carbonate_at_a_buyer()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var collector = await chain.PartyAsync("320200", "collector", "power-battery", "collect", "store");
        var recycler = await chain.PartyAsync("320700", "recycler", "power-battery", "dismantle", "cascade-use", "recycle");
        var buyer = await chain.PartyAsync("410100", "recycler");
        var packCode = TestCodes.BatteryCode('P');

        var pack = await chain.RegisterAsync(dealer, "power-battery", 450m, 1, new { kind = "battery-code", value = packCode });
        await chain.TransferAsync(dealer, collector, pack, 450m);
        // The collector is licensed to collect and store, not to dismantle: refused, naming the licence.
        var dismantleByCollector = await collector.Client.PostAsJsonAsync($"/api/batches/{pack}/dismantling",
            new { outputs = new[] { Out("black-mass", 450m) }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, dismantleByCollector.StatusCode);
        Assert.Equal("a power battery white-list entry of kind recycling, valid on 2026-11-01", await Chain.FieldRuleAsync(dismantleByCollector, "licence"));

        await chain.TransferAsync(collector, recycler, pack, 450m, 449.8m);
        var moduleCodes = Enumerable.Range(0, 8).Select(_ => TestCodes.BatteryCode('M')).ToArray();
        var outputs = moduleCodes.Select(code => Coded("battery-module", 50m, "battery-code", code))
            .Append(Out("scrap-aluminium", 40m)).Append(Out("scrap-copper", 8m)).ToArray();
        var children = await chain.DismantleAsync(recycler, pack, outputs, Lost("residue", 1.8m, "insulation and adhesive"));
        var modules = children[..8];

        var packState = await StateAsync(recycler, pack);
        Assert.Equal(("transformed", 0m, 10), (Status(packState), Remaining(packState), packState.GetProperty("children").GetArrayLength()));
        Assert.Equal(1.8m, packState.GetProperty("lossesKg").GetDecimal());

        // Two modules are regrouped into a cascade-use product with a code of its own; their codes become its ancestors.
        var productCode = TestCodes.BatteryCode('P');
        var cascade = await PostAsync(recycler, "/api/batches/cascade-use", new
        {
            batches = modules[..2], product = new { massKg = 98m, identifier = new { kind = "battery-code", value = productCode } },
            losses = new[] { Lost("process", 2m, "two cells rejected at test") }, application = "base-station backup", occurredAt = chain.Next(),
        });
        var product = cascade.GetProperty("productId").GetGuid();
        Assert.Equal(moduleCodes[..2], cascade.GetProperty("ancestorCodes").EnumerateArray().Select(c => c.GetString()!));
        // In service at a user that holds no licence; retired, it comes back to the recycler and is recycled like any battery.
        var user = await chain.PartyAsync("320700", "generator");
        await chain.TransferAsync(recycler, user, product, 98m);
        await chain.TransferAsync(user, recycler, product, 98m);
        var retiredMass = Assert.Single(await chain.RecycleAsync(recycler, product, 98m, [Out("black-mass", 80m)], Lost("process", 18m, "casing and electronics")));
        var lineage = await recycler.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{retiredMass}/provenance?direction=upstream&depth=10");
        Assert.Contains(pack, lineage.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("batchId").GetGuid()));
        Assert.Contains(lineage.GetProperty("edges").EnumerateArray(), e => e.GetProperty("process").GetString() == "cascade-use" && e.GetProperty("to").GetGuid() == product);
        var lot = await chain.MergeAsync(recycler, modules[2..]);
        var lotState = await StateAsync(recycler, lot);
        Assert.Equal((300m, 6, "merging"), (lotState.GetProperty("massKg").GetDecimal(), lotState.GetProperty("units").GetInt32(), lotState.GetProperty("origin").GetString()));
        Assert.Equal(modules[2..].Order(), Parents(lotState).Order());

        var blackMass = Assert.Single(await chain.RecycleAsync(recycler, lot, 300m, [Out("black-mass", 210m)], Lost("process", 90m, "casing and electrolyte removed in pretreatment")));
        var products = await chain.RecycleAsync(recycler, blackMass, 210m,
            [Out("lithium-carbonate", 25m), Out("cobalt-sulfate", 60m), Out("nickel-sulfate", 70m)], Lost("process", 55m, "leach residue and water"));
        var lithiumCarbonate = products[0];
        // Secondary materials are goods: a buyer with no waste licence takes them.
        await chain.TransferAsync(recycler, buyer, lithiumCarbonate, 25m);

        var sold = await StateAsync(buyer, lithiumCarbonate);
        Assert.Equal((buyer.Id, "received", "recycling"), (sold.GetProperty("holder").GetString(), Status(sold), sold.GetProperty("origin").GetString()));
        Assert.Equal([blackMass], Parents(sold));
        Assert.Equal([lot], Parents(await StateAsync(recycler, blackMass)));
        Assert.Equal("ended", Status(await StateAsync(recycler, lot)));
        Assert.Equal("merged", Status(await StateAsync(recycler, modules[5])));
        Assert.Equal("transformed", Status(await StateAsync(recycler, modules[0])));

        // Codes are for life: a merged module's code registered again is refused, naming the batch and its status.
        var reused = await dealer.Client.PostAsJsonAsync("/api/batches",
            new { category = "battery-module", massKg = 50m, identifier = new { kind = "battery-code", value = moduleCodes[2] }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("merged", (await ProblemAsync(reused)).GetProperty("holderStatus").GetString());
    }

    [Fact]
    public async Task scrapped_vehicle_dismantled_into_five_assemblies_for_remanufacture_and_steel_for_a_mill()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var dismantler = await chain.PartyAsync("410100", "dismantler", "scrapped-vehicle", "dismantle");
        var remanufacturer = await chain.PartyAsync("320200", "remanufacturer", "scrapped-vehicle", "remanufacture");
        var mill = await chain.PartyAsync("320700", "recycler", "renewable-resource", "recycle");
        await Api.GrantAsync(dismantler.Id, "store", "renewable-resource");
        await Api.GrantAsync(dismantler.Id, "store", "hazardous-waste");

        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1400m, 1, new { kind = "vin", value = TestCodes.Vin() });
        await chain.TransferAsync(owner, dismantler, vehicle, 1400m, 1398m, plate: "豫A12345");
        var assemblies = new[] { ("vehicle-engine", 180m), ("vehicle-steering-gear", 20m), ("vehicle-transmission", 60m), ("vehicle-axle", 150m), ("vehicle-frame", 250m) };
        var outputs = assemblies.Select(a => Out(a.Item1, a.Item2, 1))
            .Append(Out("scrap-steel", 520m)).Append(Out("scrap-aluminium", 80m)).Append(Out("waste-plastics", 60m)).Append(Out("waste-rubber", 40m)).Append(Out("hw08", 25m))
            .ToArray();
        var parts = await chain.DismantleAsync(dismantler, vehicle, outputs, Lost("other", 13m, "coolant and washer fluid drained"));
        Assert.Equal(10, parts.Length);

        for (var i = 0; i < assemblies.Length; i++)
        {
            await chain.TransferAsync(dismantler, remanufacturer, parts[i], assemblies[i].Item2);
            var fate = await chain.FateAsync(remanufacturer, parts[i], "remanufacture", assemblies[i].Item2, units: 1);
            Assert.Equal("ended", fate.GetProperty("status").GetString());
        }
        var steel = parts[5];
        await chain.TransferAsync(dismantler, mill, steel, 520m, 518m);
        var recycled = Assert.Single(await chain.RecycleAsync(mill, steel, 518m, [Out("recycled-steel", 500m)], Lost("residue", 18m, "slag and oxide scale")));

        var vehicleState = await StateAsync(owner, vehicle);
        Assert.Equal(("transformed", 1398m), (Status(vehicleState), vehicleState.GetProperty("massKg").GetDecimal()));
        var engine = await StateAsync(remanufacturer, parts[0]);
        Assert.Equal(("ended", "remanufacture"), (Status(engine), engine.GetProperty("fates")[0].GetProperty("fate").GetString()));
        var steelState = await StateAsync(mill, steel);
        Assert.Equal(("ended", 18m), (Status(steelState), steelState.GetProperty("lossesKg").GetDecimal()));
        Assert.Equal([steel], Parents(await StateAsync(mill, recycled)));
        // An enterprise sees only batches it held: the steel never passed the remanufacturer.
        var refused = await remanufacturer.Client.GetAsync($"/api/batches/{steel}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task decoration_waste_sorted_into_recycled_aggregate_metal_and_landfilled_residue()
    {
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        var sorter = await chain.PartyAsync("320700", "sorter", "construction-waste", "sort", "dispose");
        var mill = await chain.PartyAsync("320200", "recycler", "renewable-resource", "recycle");
        var builder = await chain.PartyAsync("320700", "generator");

        var waste = await chain.RegisterAsync(estate, "decoration-waste", 20_000m);
        await chain.TransferAsync(estate, sorter, waste, 20_000m, 19_950m, plate: "苏G12345");
        var fractions = await chain.SortAsync(sorter, waste,
            [Out("recycled-aggregate", 14_000m), Out("scrap-steel", 1_200m), Out("construction-debris", 4_500m)],
            Lost("moisture", 250m, "dried on the sorting line"));
        var (aggregate, metal, residue) = (fractions[0], fractions[1], fractions[2]);

        var landfilled = await chain.FateAsync(sorter, residue, "disposal", 4_500m, method: "landfill");
        Assert.Equal("ended", landfilled.GetProperty("status").GetString());
        await chain.TransferAsync(sorter, builder, aggregate, 14_000m);
        // The sorter holds no licence for renewable resources: it keeps the metal only because it produced it, and the mill recycles it in two lots.
        await chain.TransferAsync(sorter, mill, metal, 1_200m);
        var first = await chain.RecycleAsync(mill, metal, 1_000m, [Out("recycled-steel", 980m)], Lost("residue", 20m, "slag"));
        var partial = await StateAsync(mill, metal);
        Assert.Equal(("received", 200m), (Status(partial), Remaining(partial)));
        await chain.RecycleAsync(mill, metal, 200m, [Out("recycled-steel", 196m)], Lost("residue", 4m, "slag"));

        var sorted = await StateAsync(estate, waste);
        Assert.Equal(("transformed", 250m), (Status(sorted), sorted.GetProperty("lossesKg").GetDecimal()));
        var metalState = await StateAsync(mill, metal);
        Assert.Equal(("ended", 2), (Status(metalState), metalState.GetProperty("fates").GetArrayLength()));
        Assert.Single(first);
        Assert.Equal(builder.Id, (await StateAsync(builder, aggregate)).GetProperty("holder").GetString());
        Assert.Equal("disposal", (await StateAsync(sorter, residue)).GetProperty("fates")[0].GetProperty("fate").GetString());
    }
}

/// <summary>The other category groups, each its own short realistic chain.</summary>
public sealed class GroupChainTests(ApiFixture api) : ApiTest(api)
{
    static string Status(JsonElement state) => state.GetProperty("status").GetString()!;

    [Fact]
    public async Task weee_refrigerators_dismantled_and_their_plastics_pelletised()
    {
        var chain = new Chain(Api);
        var retailer = await chain.PartyAsync("320200", "generator");
        var dismantler = await chain.PartyAsync("320200", "dismantler", "weee", "dismantle");
        await Api.GrantAsync(dismantler.Id, "recycle", "renewable-resource");
        var fridges = await chain.RegisterAsync(retailer, "weee-refrigerator", 150m, 3);
        await chain.TransferAsync(retailer, dismantler, fridges, 150m);
        var parts = await chain.DismantleAsync(dismantler, fridges,
            [Out("scrap-steel", 75m), Out("scrap-copper", 10m), Out("waste-plastics", 40m), Out("hw49", 5m)], Lost("other", 20m, "polyurethane foam blown off"));
        var pellets = await chain.RecycleAsync(dismantler, parts[2], 40m, [Out("recycled-plastic-pellets", 38m)], Lost("process", 2m, "wash fines"));
        Assert.Equal("transformed", Status(await StateAsync(retailer, fridges)));
        Assert.Equal("derived", Status(await StateAsync(dismantler, pellets[0])));
        Assert.Equal("ended", Status(await StateAsync(dismantler, parts[2])));
    }

    [Fact]
    public async Task renewable_resource_waste_paper_collected_split_and_pulped()
    {
        var chain = new Chain(Api);
        var office = await chain.PartyAsync("410100", "generator");
        var collector = await chain.PartyAsync("410100", "collector", "renewable-resource", "collect");
        var paperMill = await chain.PartyAsync("410100", "recycler", "renewable-resource", "recycle");
        var paper = await chain.RegisterAsync(office, "waste-paper", 5_000m);
        await chain.TransferAsync(office, collector, paper, 5_000m, 4_990m);
        var parts = await chain.SplitAsync(collector, paper, new { massKg = 3_000m }, new { massKg = 1_990m });
        await chain.TransferAsync(collector, paperMill, parts[0], 3_000m);
        await chain.RecycleAsync(paperMill, parts[0], 3_000m, [Out("recycled-pulp", 2_700m)], Lost("moisture", 300m, "dried"));
        Assert.Equal("transformed", Status(await StateAsync(collector, paper)));
        var kept = await StateAsync(collector, parts[1]);
        Assert.Equal(("derived", collector.Id, 1_990m), (Status(kept), kept.GetProperty("holder").GetString(), kept.GetProperty("massKg").GetDecimal()));
        Assert.Equal("ended", Status(await StateAsync(paperMill, parts[0])));
    }

    [Fact]
    public async Task bulk_solid_waste_fly_ash_made_into_building_materials()
    {
        var chain = new Chain(Api);
        var powerPlant = await chain.PartyAsync("320700", "generator");
        var brickworks = await chain.PartyAsync("320700", "recycler", "bulk-solid-waste", "recycle");
        var ash = await chain.RegisterAsync(powerPlant, "fly-ash", 100_000m);
        await chain.TransferAsync(powerPlant, brickworks, ash, 100_000m, 99_500m, plate: "苏G23456");
        var bricks = await chain.RecycleAsync(brickworks, ash, 99_500m, [Out("building-materials", 97_500m)], Lost("moisture", 2_000m, "dried before mixing"));
        Assert.Equal("ended", Status(await StateAsync(brickworks, ash)));
        Assert.Equal(97_500m, (await StateAsync(brickworks, bricks[0])).GetProperty("massKg").GetDecimal());
    }

    [Fact]
    public async Task hazardous_waste_mineral_oil_only_to_a_licensed_operator_then_energy_recovery()
    {
        var chain = new Chain(Api);
        var garage = await chain.PartyAsync("320200", "generator");
        var unlicensed = await chain.PartyAsync("320200", "collector");
        var operatorOfHw = await chain.PartyAsync("320200", "disposer", "hazardous-waste", "collect", "recover-energy");
        var oil = await chain.RegisterAsync(garage, "hw08", 2_000m);

        var refused = await garage.Client.PostAsJsonAsync($"/api/batches/{oil}/dispatches", new { to = unlicensed.Id, massKg = 2_000m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("a hazardous waste licence (危险废物经营许可证) approving collect or store or utilize or dispose of 900-249-08 (or class HW08)", await Chain.FieldRuleAsync(refused, "licence"));

        await chain.TransferAsync(garage, operatorOfHw, oil, 2_000m, 1_995m, manifest: new
        {
            carrier = TestCodes.SocialCreditCode("320200"), carrierPermit = "苏交运管许可锡字320200005678号", wasteCode = "900-249-08", hazards = new[] { "T", "I" },
            physicalForm = "liquid", packaging = "drum", packageCount = 10, intendedOperation = "R1",
        });
        var fate = await chain.FateAsync(operatorOfHw, oil, "energy-recovery", 1_995m);
        Assert.Equal("ended", fate.GetProperty("status").GetString());
    }

    [Fact]
    public async Task agricultural_film_from_two_villages_merged_and_pelletised()
    {
        var chain = new Chain(Api);
        var villageA = await chain.PartyAsync("320700", "generator");
        var villageB = await chain.PartyAsync("320700", "generator");
        var station = await chain.PartyAsync("320700", "collector", "agricultural", "collect", "recycle");
        var a = await chain.RegisterAsync(villageA, "agricultural-film", 3_000m);
        var b = await chain.RegisterAsync(villageB, "agricultural-film", 5_000m);
        await chain.TransferAsync(villageA, station, a, 3_000m);
        await chain.TransferAsync(villageB, station, b, 5_000m);
        var lot = await chain.MergeAsync(station, [a, b]);
        await chain.RecycleAsync(station, lot, 8_000m, [Out("recycled-plastic-pellets", 6_400m)], Lost("residue", 1_600m, "soil and stubble washed off"));
        Assert.Equal(8_000m, (await StateAsync(station, lot)).GetProperty("massKg").GetDecimal());
        Assert.Equal("merged", Status(await StateAsync(villageA, a)));
    }

    [Fact]
    public async Task packaging_express_parcels_sorted_into_paper_and_plastics()
    {
        var chain = new Chain(Api);
        var depot = await chain.PartyAsync("320200", "generator");
        var sorter = await chain.PartyAsync("320200", "sorter", "packaging", "sort");
        var parcels = await chain.RegisterAsync(depot, "express-packaging", 1_200m);
        await chain.TransferAsync(depot, sorter, parcels, 1_200m);
        var fractions = await chain.SortAsync(sorter, parcels, [Out("waste-paper", 900m), Out("waste-plastics", 250m)], Lost("residue", 50m, "tape and labels"));
        Assert.Equal(2, fractions.Length);
        Assert.Equal("transformed", Status(await StateAsync(depot, parcels)));
    }

    [Fact]
    public async Task new_energy_equipment_pv_modules_dismantled_into_glass_aluminium_and_silicon()
    {
        var chain = new Chain(Api);
        var solarFarm = await chain.PartyAsync("410100", "generator");
        var dismantler = await chain.PartyAsync("410100", "dismantler", "new-energy-equipment", "dismantle");
        var modules = await chain.RegisterAsync(solarFarm, "pv-module", 800m, 40);
        await chain.TransferAsync(solarFarm, dismantler, modules, 800m);
        var parts = await chain.DismantleAsync(dismantler, modules,
            [Out("waste-glass", 560m), Out("scrap-aluminium", 140m), Out("silicon", 40m), Out("scrap-copper", 8m), Out("waste-plastics", 40m)], Lost("dust", 12m, "EVA and backsheet dust"));
        Assert.Equal(5, parts.Length);
        Assert.Equal("transformed", Status(await StateAsync(solarFarm, modules)));
    }

    [Fact]
    public async Task secondary_material_recycled_steel_sold_on_and_tracked_to_a_second_buyer()
    {
        var chain = new Chain(Api);
        var workshop = await chain.PartyAsync("320200", "generator");
        var mill = await chain.PartyAsync("320200", "recycler", "renewable-resource", "recycle");
        var trader = await chain.PartyAsync("320700", "recycler");
        var steelworks = await chain.PartyAsync("410100", "recycler");
        var scrap = await chain.RegisterAsync(workshop, "scrap-steel", 10_000m);
        await chain.TransferAsync(workshop, mill, scrap, 10_000m);
        var steel = Assert.Single(await chain.RecycleAsync(mill, scrap, 10_000m, [Out("recycled-steel", 9_600m)], Lost("residue", 400m, "slag")));
        await chain.TransferAsync(mill, trader, steel, 9_600m);
        var lots = await chain.SplitAsync(trader, steel, new { massKg = 6_000m }, new { massKg = 3_600m });
        await chain.TransferAsync(trader, steelworks, lots[0], 6_000m);
        var delivered = await StateAsync(steelworks, lots[0]);
        Assert.Equal((steelworks.Id, "received"), (delivered.GetProperty("holder").GetString(), Status(delivered)));
        Assert.Equal(steel, delivered.GetProperty("parents")[0].GetProperty("batchId").GetGuid());
    }
}
