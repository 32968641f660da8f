using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Provenance;

/// <summary>Regulators' questions over HTTP: where from, where to, who held it when, and finding batches.</summary>
public sealed class ProvenanceTests(ApiFixture api) : ApiTest(api)
{
    static decimal Percent(JsonElement shares, string key) =>
        shares.EnumerateArray().Single(s => s.GetProperty("key").GetString() == key).GetProperty("percent").GetDecimal();

    static decimal Sum(JsonElement shares) => shares.EnumerateArray().Sum(s => s.GetProperty("percent").GetDecimal());

    async Task<(Chain Chain, Party Station, Party VillageA, Guid A, Guid B, Guid Lot, Guid Pellets)> FilmMergedAndRecycledAsync()
    {
        var chain = new Chain(Api);
        var villageA = await chain.PartyAsync("320700", "generator");
        var villageB = await chain.PartyAsync("320200", "generator");
        var station = await chain.PartyAsync("320700", "collector", "agricultural", "collect", "recycle");
        var a = await chain.RegisterAsync(villageA, "agricultural-film", 3_000m);
        var b = await chain.RegisterAsync(villageB, "agricultural-film", 5_000m);
        await chain.TransferAsync(villageA, station, a, 3_000m);
        await chain.TransferAsync(villageB, station, b, 5_000m);
        var lot = await chain.MergeAsync(station, [a, b]);
        var pellets = Assert.Single(await chain.RecycleAsync(station, lot, 8_000m, [Out("recycled-plastic-pellets", 6_400m)], Lost("residue", 1_600m, "soil washed off")));
        return (chain, station, villageA, a, b, lot, pellets);
    }

    [Fact]
    public async Task origins_carry_shares_through_a_merge_to_each_source_generator_and_city()
    {
        var (_, station, _, a, b, _, pellets) = await FilmMergedAndRecycledAsync();

        var origins = await station.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{pellets}/origins");

        // 3000 of 8000 kg came from village A (37.5%), 5000 from village B (62.5%).
        Assert.Equal(37.5m, Percent(origins.GetProperty("bySourceBatch"), a.ToString()));
        Assert.Equal(62.5m, Percent(origins.GetProperty("bySourceBatch"), b.ToString()));
        Assert.Equal((37.5m, 62.5m), (Percent(origins.GetProperty("byCity"), "320700"), Percent(origins.GetProperty("byCity"), "320200")));
        Assert.Equal(2_400m, origins.GetProperty("bySourceBatch").EnumerateArray().Single(s => s.GetProperty("key").GetString() == a.ToString()).GetProperty("massKg").GetDecimal());
        Assert.Equal(100m, Sum(origins.GetProperty("byGenerator")));
        Assert.False(origins.GetProperty("cut").GetBoolean());
    }

    [Fact]
    public async Task destinations_follow_a_source_to_its_fates_its_losses_and_what_is_still_held()
    {
        var chain = new Chain(Api);
        var office = await chain.PartyAsync("410100", "generator");
        var collector = await chain.PartyAsync("410100", "collector", "renewable-resource", "collect");
        var mill = await chain.PartyAsync("410100", "recycler", "renewable-resource", "recycle");
        var paper = await chain.RegisterAsync(office, "waste-paper", 5_000m);
        await chain.TransferAsync(office, collector, paper, 5_000m, 4_990m);
        var parts = await chain.SplitAsync(collector, paper, new { massKg = 3_000m }, new { massKg = 1_990m });
        await chain.TransferAsync(collector, mill, parts[0], 3_000m);
        await chain.RecycleAsync(mill, parts[0], 3_000m, [Out("recycled-pulp", 2_700m)], Lost("moisture", 300m, "dried"));

        var destinations = await office.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{paper}/destinations");

        // Worked by hand: 3000/4990 went to the mill, of which 90% became pulp (secondary material) and 10% was declared lost; 1990/4990 is still with the collector.
        var byEnd = destinations.GetProperty("byEnd");
        Assert.Equal(54.1082m, Percent(byEnd, "secondary-material"));
        Assert.Equal(6.0120m, Percent(byEnd, "declared-loss"));
        Assert.Equal(39.8798m, Percent(byEnd, "in-chain"));
        Assert.Equal(100m, Sum(byEnd));
        // The office never held the parts the collector split off: their holders are undisclosed to it, as provenance redacts those nodes.
        Assert.Equal(100m, Percent(destinations.GetProperty("byHolder"), "undisclosed"));
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var seenByRegulator = await regulator.GetFromJsonAsync<JsonElement>($"/api/batches/{paper}/destinations");
        Assert.Equal(39.8798m, Percent(seenByRegulator.GetProperty("byHolder"), collector.Id));
        Assert.Equal(60.1202m, Percent(seenByRegulator.GetProperty("byHolder"), mill.Id));
        Assert.Equal(destinations.GetProperty("byEnd").ToString(), seenByRegulator.GetProperty("byEnd").ToString());
    }

    [Fact]
    public async Task provenance_walks_both_ways_and_says_when_depth_or_the_node_limit_cut_it()
    {
        var (_, station, villageA, a, b, lot, pellets) = await FilmMergedAndRecycledAsync();

        var upstream = await station.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{pellets}/provenance?direction=upstream");
        Assert.False(upstream.GetProperty("cut").GetBoolean());
        Assert.Equal(new[] { a, b, lot, pellets }.Order(), upstream.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("batchId").GetGuid()).Order());
        var edges = upstream.GetProperty("edges").EnumerateArray().Select(e => (e.GetProperty("from").GetGuid(), e.GetProperty("to").GetGuid(), e.GetProperty("massKg").GetDecimal())).ToList();
        Assert.Contains((a, lot, 3_000m), edges);
        Assert.Contains((lot, pellets, 6_400m), edges);

        var shallow = await station.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{pellets}/provenance?direction=upstream&depth=1");
        Assert.Equal((true, true, 2), (shallow.GetProperty("cut").GetBoolean(), shallow.GetProperty("cutByDepth").GetBoolean(), shallow.GetProperty("nodes").GetArrayLength()));
        var limited = await station.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{lot}/provenance?limit=2");
        Assert.Equal((true, 2), (limited.GetProperty("cutByNodes").GetBoolean(), limited.GetProperty("nodes").GetArrayLength()));

        // Village A held only its own batch: the rest of the graph is shown without enterprises.
        var seenByA = await villageA.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{a}/provenance?direction=downstream");
        var pelletsNode = seenByA.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("batchId").GetGuid() == pellets);
        Assert.True(pelletsNode.GetProperty("redacted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, pelletsNode.GetProperty("holder").ValueKind);
        var bad = await station.Client.GetAsync($"/api/batches/{lot}/provenance?direction=sideways&depth=500");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await Chain.ProblemAsync(bad);
        Assert.True(problem.GetProperty("errors").TryGetProperty("direction", out _) && problem.GetProperty("errors").TryGetProperty("depth", out _));
    }

    [Fact]
    public async Task custody_lists_holders_with_storage_and_transfers_with_transit_time()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var batch = await Chain.RegisterAsync(generator);
        var manifest = await Chain.DispatchAsync(generator, batch, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await Chain.Receive(recycler, batch, manifest, 980m)).StatusCode);

        var custody = await recycler.GetFromJsonAsync<JsonElement>($"/api/batches/{batch}/custody");

        var holders = custody.GetProperty("holders");
        Assert.Equal((generatorId, 24d, "2026-11-21T12:00:00Z"), (holders[0].GetProperty("holder").GetString(), holders[0].GetProperty("storedHours").GetDouble(), holders[0].GetProperty("to").GetString()));
        Assert.Equal((recyclerId, JsonValueKind.Null), (holders[1].GetProperty("holder").GetString(), holders[1].GetProperty("to").ValueKind));
        var transfer = Assert.Single(custody.GetProperty("transfers").EnumerateArray());
        Assert.Equal(("received", 4d, 980m, -20m, "苏B12345"), (transfer.GetProperty("outcome").GetString(), transfer.GetProperty("transitHours").GetDouble(),
            transfer.GetProperty("weighedKg").GetDecimal(), transfer.GetProperty("discrepancyKg").GetDecimal(), transfer.GetProperty("vehiclePlate").GetString()));
    }

    [Fact]
    public async Task search_pages_with_a_stable_cursor_filters_and_keeps_to_the_callers_scope()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var stranger = await chain.PartyAsync("410100", "generator");
        var code = TestCodes.BatteryCode();
        var ids = new List<Guid>
        {
            await chain.RegisterAsync(dealer, "power-battery", 400m, 1, new { kind = "battery-code", value = code }),
            await chain.RegisterAsync(dealer, "weee-phone", 20m, 100),
            await chain.RegisterAsync(dealer, "weee-phone", 30m, 150),
        };

        var first = await dealer.Client.GetFromJsonAsync<JsonElement>("/api/batches?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        await chain.RegisterAsync(dealer, "weee-phone", 40m, 200); // arrives later; sorts after the cursor, shifts nothing
        var second = await dealer.Client.GetFromJsonAsync<JsonElement>($"/api/batches?limit=2&cursor={cursor}");
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids, seen.Take(3));
        Assert.Equal(4, seen.Count);

        var byCode = await dealer.Client.GetFromJsonAsync<JsonElement>($"/api/batches?identifier={code}");
        Assert.Equal(ids[0], Assert.Single(byCode.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var phones = await dealer.Client.GetFromJsonAsync<JsonElement>("/api/batches?category=weee-phone&status=generated");
        Assert.Equal(3, phones.GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await stranger.Client.GetFromJsonAsync<JsonElement>("/api/batches")).GetProperty("items").GetArrayLength());
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "410100" }));
        Assert.Equal(0, (await regulator.GetFromJsonAsync<JsonElement>("/api/batches")).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await dealer.Client.GetAsync("/api/batches?cursor=nonsense")).StatusCode);
    }
}
