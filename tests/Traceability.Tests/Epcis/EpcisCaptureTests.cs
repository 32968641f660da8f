using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Traceability.Epcis.Hashing;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Epcis;

/// <summary>POST /epcis/capture: schema first, then every event through the same checks as the API, all or nothing, and a round trip.</summary>
public sealed class EpcisCaptureTests(ApiFixture api) : ApiTest(api)
{
    static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "Epcis", "Samples");

    static Task<HttpResponseMessage> CaptureAsync(HttpClient client, string json, string? behaviour = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/epcis/capture") { Content = new StringContent(json, Encoding.UTF8, "application/ld+json") };
        if (behaviour is not null) request.Headers.Add("GS1-Capture-Error-Behaviour", behaviour);
        return client.SendAsync(request);
    }

    static async Task<long> EventCountAsync()
    {
        await using var connection = new NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from traceability.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    [Fact]
    public async Task every_invalid_sample_is_refused_with_its_schema_rule_and_nothing_is_stored()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var before = await EventCountAsync();
        foreach (var file in Directory.GetFiles(Path.Combine(Samples, "invalid")))
        {
            var response = await CaptureAsync(owner.Client, await File.ReadAllTextAsync(file));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{Path.GetFileName(file)}: {response.StatusCode}");
            var errors = await ErrorsAsync(response);
            Assert.NotEmpty(errors);
        }
        var action = await CaptureAsync(owner.Client, await File.ReadAllTextAsync(Path.Combine(Samples, "invalid", "ObjectEvent_with_invalid_action.json")));
        Assert.Contains("must be one of OBSERVE, ADD, DELETE", (await ErrorsAsync(action))["epcisBody.eventList[0].action"][0]);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task every_valid_sample_is_refused_for_a_domain_reason_that_names_its_event_and_nothing_is_stored()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var before = await EventCountAsync();
        foreach (var file in Directory.GetFiles(Path.Combine(Samples, "valid")))
        {
            var response = await CaptureAsync(owner.Client, await File.ReadAllTextAsync(file));
            var body = await response.Content.ReadAsStringAsync();
            // These are other systems' events: sites, parties and products the service does not know.
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{Path.GetFileName(file)}: {response.StatusCode} {body}");
            var errors = await ErrorsAsync(response);
            Assert.Contains(errors.Keys, k => k.StartsWith("epcisBody.eventList[", StringComparison.Ordinal));
            Assert.NotNull(response.Headers.Location);
        }
        var transaction = await CaptureAsync(owner.Client, await File.ReadAllTextAsync(Path.Combine(Samples, "valid", "TransactionEvent_all_possible_fields.json")));
        Assert.Contains("TransactionEvent is not something the product records", (await ErrorsAsync(transaction))["epcisBody.eventList[0].type"][0]);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task an_exported_chain_captured_by_each_party_into_an_empty_store_reproduces_the_same_state_and_hashes()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var plant = await chain.PartyAsync("320700", "dismantler", "scrapped-vehicle", "dismantle");
        var vin = TestCodes.Vin();
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = vin });
        await Chain.PostAsync(owner, $"/api/batches/{vehicle}/corrections", new { eventVersion = 1, field = "massKg", value = 1_100m, reason = "kerb weight" });
        await chain.TransferAsync(owner, plant, vehicle, 1_100m, 1_080m);
        var outputs = await chain.DismantleAsync(plant, vehicle, [Chain.Out("vehicle-parts", 300m, 4), Chain.Out("scrap-steel", 770m)], Chain.Lost("other", 10m, "fluids"));
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var exported = await regulator.GetStringAsync($"/api/batches/{vehicle}/epcis");
        var states = new Dictionary<Guid, string>();
        foreach (var id in outputs.Prepend(vehicle)) states[id] = await regulator.GetStringAsync($"/api/batches/{id}");

        await Api.ResetAsync();
        var owner2 = await ReRegisterAsync(owner.Id, "410100", "generator");
        var plant2 = await ReRegisterAsync(plant.Id, "320700", "dismantler");
        await Api.GrantAsync(plant.Id, "dismantle", "scrapped-vehicle");

        var document = JsonNode.Parse(exported)!.AsObject();
        document.Remove("trc:eventHashes");
        var events = document["epcisBody"]!["eventList"]!.AsArray();
        string PartOf(JsonNode e) => e["readPoint"]!["id"]!.GetValue<string>().Split('/')[^2];
        foreach (var (party, client) in new[] { (owner.Id, owner2), (plant.Id, plant2) })
        {
            var own = document.DeepClone().AsObject();
            var list = own["epcisBody"]!["eventList"]!.AsArray();
            for (var i = list.Count - 1; i >= 0; i--) if (PartOf(list[i]!) != party) list.RemoveAt(i);
            var response = await CaptureAsync(client, own.ToJsonString());
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
            using var job = JsonDocument.Parse(body);
            Assert.True(job.RootElement.GetProperty("success").GetBoolean());
            Assert.Equal(list.Count, job.RootElement.GetProperty("events").GetArrayLength());
            Assert.All(job.RootElement.GetProperty("events").EnumerateArray(), e => Assert.StartsWith("ni:///sha-256;", e.GetProperty("hash").GetString()));
            var status = await client.GetFromJsonAsync<JsonElement>(response.Headers.Location!.ToString());
            Assert.True(status.GetProperty("success").GetBoolean());
        }

        var regulator2 = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        foreach (var (id, state) in states) Assert.Equal(state, await regulator2.GetStringAsync($"/api/batches/{id}"));
        using var original = JsonDocument.Parse(exported);
        using var again = JsonDocument.Parse(await regulator2.GetStringAsync($"/api/batches/{vehicle}/epcis"));
        Assert.Equal(EventHash.Of(original.RootElement).Select(h => h.Hash), EventHash.Of(again.RootElement).Select(h => h.Hash));
    }

    [Fact]
    public async Task a_whole_lineage_queried_and_captured_again_reproduces_sorting_splitting_merging_and_recycling()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var plant = await chain.PartyAsync("410100", "dismantler", "scrapped-vehicle", "dismantle", "sort");
        await Api.GrantAsync(plant.Id, "recycle", "renewable-resource");
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = TestCodes.Vin() });
        await chain.TransferAsync(owner, plant, vehicle, 1_000m);
        var parts = await chain.DismantleAsync(plant, vehicle, [Chain.Out("vehicle-parts", 300m, 4), Chain.Out("scrap-steel", 690m)], Chain.Lost("other", 10m, "fluids"));
        var sorted = await chain.SortAsync(plant, parts[0], [Chain.Out("scrap-copper", 100m), Chain.Out("waste-plastics", 200m)]);
        var steel = await chain.SplitAsync(plant, parts[1], new { massKg = 400m }, new { massKg = 290m });
        var lot = await chain.MergeAsync(plant, steel);
        var recycled = await chain.RecycleAsync(plant, lot, 690m, [Chain.Out("recycled-steel", 680m)], Chain.Lost("residue", 10m, "slag"));
        Guid[] all = [vehicle, .. parts, .. sorted, .. steel, lot, .. recycled];

        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var queried = JsonNode.Parse(await regulator.GetStringAsync("/epcis/events?perPage=1000"))!;
        var events = queried["epcisBody"]!["queryResults"]!["resultsBody"]!["eventList"]!.AsArray();
        var states = new Dictionary<Guid, string>();
        foreach (var id in all) states[id] = await regulator.GetStringAsync($"/api/batches/{id}");

        await Api.ResetAsync();
        var owner2 = await ReRegisterAsync(owner.Id, "410100", "generator");
        var plant2 = await ReRegisterAsync(plant.Id, "410100", "dismantler");
        await Api.GrantAsync(plant.Id, "dismantle", "scrapped-vehicle");
        await Api.GrantAsync(plant.Id, "sort", "scrapped-vehicle");
        await Api.GrantAsync(plant.Id, "recycle", "renewable-resource");
        foreach (var (party, client) in new[] { (owner.Id, owner2), (plant.Id, plant2) })
        {
            var own = events.Where(e => e!["readPoint"]!["id"]!.GetValue<string>().Split('/')[^2] == party).Select(e => e!.DeepClone()).ToArray();
            var response = await CaptureAsync(client, Document(own));
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        }

        var regulator2 = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        foreach (var (id, state) in states) Assert.Equal(state, await regulator2.GetStringAsync($"/api/batches/{id}"));
    }

    async Task<HttpClient> ReRegisterAsync(string id, string city, string role)
    {
        var registered = await Api.Admin().PostAsJsonAsync("/api/enterprises", new { id, name = $"Enterprise {id}", city, roles = new[] { role } }, ApiFixture.Json);
        registered.EnsureSuccessStatusCode();
        return Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "enterprise", enterpriseId = id }));
    }

    static string Document(params object[] events) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["@context"] = new object[] { Vocabulary.ContextUrl, new Dictionary<string, string> { ["trc"] = "https://ns.traceability.example/epcis/" } },
        ["type"] = "EPCISDocument",
        ["schemaVersion"] = "2.0",
        ["creationDate"] = "2026-11-01T08:00:00.000+08:00",
        ["epcisBody"] = new { eventList = events },
    });

    static Dictionary<string, object> Commissioning(string party, string city, Guid batch, string at, decimal kg = 500m) => new Dictionary<string, object>
    {
        ["type"] = "ObjectEvent", ["eventTime"] = at, ["eventTimeZoneOffset"] = "+08:00",
        ["quantityList"] = new[] { new { epcClass = $"https://id.traceability.example/batch/{batch}", quantity = kg, uom = "KGM" } },
        ["action"] = "ADD", ["bizStep"] = "commissioning", ["disposition"] = "active",
        ["readPoint"] = new { id = $"https://id.traceability.example/site/{party}/{city}" },
        ["ilmd"] = new Dictionary<string, object> { ["trc:category"] = "construction-waste" },
    };

    static Dictionary<string, object> Shipping(string party, string city, Guid batch, string to, string at) => new Dictionary<string, object>
    {
        ["type"] = "ObjectEvent", ["eventTime"] = at, ["eventTimeZoneOffset"] = "+08:00",
        ["quantityList"] = new[] { new { epcClass = $"https://id.traceability.example/batch/{batch}", quantity = 500m, uom = "KGM" } },
        ["action"] = "OBSERVE", ["bizStep"] = "shipping", ["disposition"] = "in_transit",
        ["readPoint"] = new { id = $"https://id.traceability.example/site/{party}/{city}" },
        ["bizTransactionList"] = new[] { new { type = "desadv", bizTransaction = $"https://id.traceability.example/manifest/{Guid.CreateVersion7()}" } },
        ["destinationList"] = new[] { new { type = "possessing_party", destination = $"https://id.traceability.example/party/{to}" } },
    };

    [Fact]
    public async Task a_refused_event_rolls_back_the_whole_document_unless_the_caller_asks_to_proceed()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var stranger = TestCodes.SocialCreditCode("320200");
        var json = Document(
            Commissioning(owner.Id, "410100", first, "2026-11-01T09:00:00.000+08:00"),
            Commissioning(owner.Id, "410100", second, "2026-11-01T09:30:00.000+08:00"),
            Shipping(owner.Id, "410100", first, stranger, "2026-11-01T10:00:00.000+08:00"));
        var before = await EventCountAsync();

        // The addressee is no registered enterprise.
        var refused = await CaptureAsync(owner.Client, json);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = await ErrorsAsync(refused);
        Assert.Contains(errors.Keys, k => k.StartsWith("epcisBody.eventList[2]", StringComparison.Ordinal));
        Assert.Equal(before, await EventCountAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"/api/batches/{first}")).StatusCode);
        var job = await owner.Client.GetFromJsonAsync<JsonElement>(refused.Headers.Location!.ToString());
        Assert.False(job.GetProperty("success").GetBoolean());
        Assert.Equal(["rolled-back", "rolled-back", "refused"], job.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("status").GetString()));

        var proceeded = await CaptureAsync(owner.Client, json, "proceed");
        Assert.Equal(HttpStatusCode.Accepted, proceeded.StatusCode);
        var proceedJob = await proceeded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["stored", "stored", "refused"], proceedJob.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/batches/{first}")).StatusCode);

        var other = await chain.PartyAsync("410100", "generator");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync(refused.Headers.Location!.ToString())).StatusCode);
        var badBehaviour = await CaptureAsync(owner.Client, json, "sometimes");
        Assert.Contains("rollback", await Chain.FieldRuleAsync(badBehaviour, "GS1-Capture-Error-Behaviour"));
    }

    [Fact]
    public async Task an_event_of_another_enterprises_site_is_a_403_naming_its_read_point()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var other = await chain.PartyAsync("410100", "generator");
        var response = await CaptureAsync(owner.Client, Document(Commissioning(other.Id, "410100", Guid.CreateVersion7(), "2026-11-01T09:00:00.000+08:00")));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"is a site of {other.Id}", (await ErrorsAsync(response))["epcisBody.eventList[0].readPoint.id"][0]);
    }

    [Fact]
    public async Task a_document_past_the_event_bound_is_refused_and_a_body_past_the_size_bound_is_a_413()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var many = Enumerable.Range(0, 10_001).Select(i => Commissioning(owner.Id, "410100", Guid.CreateVersion7(), "2026-11-01T09:00:00.000+08:00")).ToArray();
        var tooMany = await CaptureAsync(owner.Client, Document(many));
        Assert.Contains("at most 10000 events", await Chain.FieldRuleAsync(tooMany, "epcisBody.eventList"));
        var huge = await CaptureAsync(owner.Client, new string(' ', 17 * 1024 * 1024) + "{}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }
}
