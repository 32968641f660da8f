using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Traceability.Epcis.Capturing;
using Traceability.Epcis.Hashing;
using Traceability.Tests.Contracts;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Epcis;

/// <summary>Export of a batch's history as EPCIS 2.0, held against the ratified 2.0.1 JSON Schema and the event hash.</summary>
public sealed class EpcisExportTests(ApiFixture api) : ApiTest(api)
{
    internal static Task<string[]> SchemaErrorsAsync(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Task.FromResult<string[]>([.. SchemaCheck.Epcis.Check(document.RootElement).Select(e => $"{e.Path}: {e.Rule}")]);
    }

    [Fact]
    public async Task every_batch_exports_as_a_schema_valid_document_and_every_event_type_is_mapped()
    {
        await SchemaTests.WriteEveryEventAsync(Api);
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        var sorter = await chain.PartyAsync("320700", "sorter", "construction-waste", "sort", "dispose", "recover-energy", "reuse");
        var batch = await chain.RegisterAsync(estate, "decoration-waste", 1_000m);
        await chain.TransferAsync(estate, sorter, batch, 1_000m);
        await chain.FateAsync(sorter, batch, "disposal", 400m, method: "landfill");
        await chain.FateAsync(sorter, batch, "reuse", 300m);
        await chain.FateAsync(sorter, batch, "disposal", 300m, method: "incineration");

        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var streams = await BatchStreamsAsync();
        var steps = new HashSet<string>();
        var eventTypes = new HashSet<string>();
        foreach (var id in streams)
        {
            var response = await regulator.GetAsync($"/api/batches/{id}/epcis");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
            var json = await response.Content.ReadAsStringAsync();
            var errors = await SchemaErrorsAsync(json);
            Assert.True(errors.Length == 0, $"{id}: {string.Join("; ", errors)}\n{json}");

            using var document = JsonDocument.Parse(json);
            var events = document.RootElement.GetProperty("epcisBody").GetProperty("eventList").EnumerateArray().ToList();
            foreach (var ev in events)
            {
                steps.Add(ev.GetProperty("bizStep").GetString()!);
                eventTypes.Add(ev.GetProperty("type").GetString()!);
                Assert.Equal("+08:00", ev.GetProperty("eventTimeZoneOffset").GetString());
            }
            // The hashes the product lists are the hashes of the events it wrote, in order.
            var listed = document.RootElement.GetProperty("trc:eventHashes").EnumerateArray().Select(h => h.GetProperty("hash").GetString()).ToList();
            Assert.Equal(EventHash.Of(document.RootElement).Select(h => h.Hash), listed);
        }
        string[] expected =
        [
            "commissioning", "shipping", "receiving", "inspecting", "disassembling", "destroying", "holding",
            "https://ns.traceability.example/bizstep/sorting", "https://ns.traceability.example/bizstep/splitting",
            "https://ns.traceability.example/bizstep/merging", "https://ns.traceability.example/bizstep/recycling",
            "https://ns.traceability.example/bizstep/cascade_use", "https://ns.traceability.example/bizstep/reusing",
        ];
        Assert.Equal(expected.Order(), steps.Order());
        Assert.Equal(["ObjectEvent", "TransformationEvent"], eventTypes.Order());
    }

    [Fact]
    public async Task a_dispatch_names_both_parties_and_the_manifest_and_a_correction_is_an_error_declaration_and_a_corrected_event()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var plant = await chain.PartyAsync("320700", "dismantler", "scrapped-vehicle", "dismantle");
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = TestCodes.Vin() });
        await Chain.PostAsync(owner, $"/api/batches/{vehicle}/corrections", new { eventVersion = 1, field = "massKg", value = 1_100m, reason = "kerb weight" });
        await chain.TransferAsync(owner, plant, vehicle, 1_100m);

        var json = await plant.Client.GetStringAsync($"/api/batches/{vehicle}/epcis");
        Assert.Empty(await SchemaErrorsAsync(json));
        using var document = JsonDocument.Parse(json);
        var events = document.RootElement.GetProperty("epcisBody").GetProperty("eventList").EnumerateArray().ToList();
        // The event as first recorded stays; the correction adds it again with an error declaration, and the corrected event.
        Assert.Equal(5, events.Count);
        var (original, replay, corrective) = (events[0], events[1], events[2]);
        Assert.Equal(original.GetProperty("eventID").GetString(), replay.GetProperty("eventID").GetString());
        Assert.False(original.TryGetProperty("errorDeclaration", out _));
        Assert.Equal(1_000m, replay.GetProperty("quantityList")[0].GetProperty("quantity").GetDecimal());
        var declaration = replay.GetProperty("errorDeclaration");
        Assert.Equal("incorrect_data", declaration.GetProperty("reason").GetString());
        Assert.Equal(corrective.GetProperty("eventID").GetString(), declaration.GetProperty("correctiveEventIDs")[0].GetString());
        Assert.Equal(1_100m, corrective.GetProperty("quantityList")[0].GetProperty("quantity").GetDecimal());
        var hashes = EventHash.Of(document.RootElement);
        Assert.Equal(hashes[0].Hash, hashes[1].Hash);
        Assert.NotEqual(hashes[0].Hash, hashes[2].Hash);

        var shipping = events[3];
        Assert.Equal("shipping", shipping.GetProperty("bizStep").GetString());
        Assert.Equal($"https://id.traceability.example/party/{plant.Id}",
            shipping.GetProperty("destinationList").EnumerateArray().Single(d => d.GetProperty("type").GetString() == "possessing_party").GetProperty("destination").GetString());
        Assert.Equal($"https://id.traceability.example/site/{owner.Id}/410100", shipping.GetProperty("readPoint").GetProperty("id").GetString());
        Assert.StartsWith("https://id.traceability.example/manifest/", shipping.GetProperty("bizTransactionList")[0].GetProperty("bizTransaction").GetString());
        Assert.StartsWith("https://id.traceability.example/vin/", shipping.GetProperty("epcList")[0].GetString());
        Assert.Equal("receiving", events[4].GetProperty("bizStep").GetString());
        Assert.Equal($"https://id.traceability.example/site/{plant.Id}/320700", events[4].GetProperty("bizLocation").GetProperty("id").GetString());
    }

    [Fact]
    public async Task a_batch_the_caller_may_not_see_is_a_404()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var stranger = await chain.PartyAsync("410100", "generator");
        var batch = await chain.RegisterAsync(owner, "construction-waste", 10m);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/batches/{batch}/epcis")).StatusCode);
        var cityRegulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320200" }));
        Assert.Equal(HttpStatusCode.NotFound, (await cityRegulator.GetAsync($"/api/batches/{batch}/epcis")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/batches/{batch}/epcis")).StatusCode);
    }

    static async Task<List<Guid>> BatchStreamsAsync()
    {
        await using var connection = new NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select id from traceability.mt_doc_batch order by id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }
}
