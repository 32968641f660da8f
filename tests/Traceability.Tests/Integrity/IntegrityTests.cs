extern alias verifier;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Traceability.Integrity.Proving;
using Traceability.Tests.Contracts;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using Verifier = verifier::Traceability.Verifier.Verifier;

namespace Traceability.Tests.Integrity;

/// <summary>The hash chain over every stored event, the sealed roots, and the proof a regulator checks with and without the service.</summary>
public sealed class IntegrityTests(ApiFixture api) : ApiTest(api)
{
    async Task<(Chain Chain, Party Owner, Party Plant, Guid Vehicle, HttpClient Regulator)> TransferredVehicleAsync()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var plant = await chain.PartyAsync("320700", "dismantler", "scrapped-vehicle", "dismantle");
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = TestCodes.Vin() });
        await chain.TransferAsync(owner, plant, vehicle, 1_000m);
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        return (chain, owner, plant, vehicle, regulator);
    }

    [Fact]
    public async Task a_batch_chain_is_proved_up_to_a_sealed_root_by_the_service_and_by_the_verifier_against_the_published_roots()
    {
        var (_, owner, _, vehicle, regulator) = await TransferredVehicleAsync();
        var unsealed = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/integrity/batches/{vehicle}");
        Assert.True(unsealed.GetProperty("verdict").GetProperty("intact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, unsealed.GetProperty("proof").GetProperty("root").ValueKind);

        var sealedResponse = await regulator.PostAsync("/api/integrity/roots", null);
        Assert.Equal(HttpStatusCode.Created, sealedResponse.StatusCode);
        var root = await sealedResponse.Content.ReadFromJsonAsync<JsonElement>();
        // Streams so far: the enterprises' licences, the batch, any alerts; the one batch is among them.
        Assert.True(root.GetProperty("leafCount").GetInt32() >= 2);

        var json = await owner.Client.GetStringAsync($"/api/integrity/batches/{vehicle}");
        using var view = JsonDocument.Parse(json);
        var verdict = view.RootElement.GetProperty("verdict");
        Assert.True(verdict.GetProperty("intact").GetBoolean(), verdict.GetProperty("detail").GetString());
        var proof = view.RootElement.GetProperty("proof");
        Assert.Equal(3, proof.GetProperty("events").GetArrayLength());
        Assert.Equal(root.GetProperty("merkleRoot").GetString(), proof.GetProperty("root").GetProperty("merkleRoot").GetString());
        Assert.Equal(3, proof.GetProperty("root").GetProperty("leafVersion").GetInt64());

        var roots = await regulator.GetStringAsync("/api/integrity/roots");
        var (code, output) = Verify(json, roots);
        Assert.Equal(0, code);
        Assert.StartsWith($"INTACT {vehicle}", output);

        // A root the published list does not hold under that number is refused.
        var (forgedCode, forged) = Verify(json, """[{"number": 1, "merkleRoot": "00"}]""");
        Assert.Equal(1, forgedCode);
        Assert.Contains("not the root published", forged);
    }

    [Fact]
    public async Task an_event_edited_in_the_database_is_named_by_the_service_and_by_the_verifier()
    {
        var (_, owner, _, vehicle, regulator) = await TransferredVehicleAsync();
        Assert.Equal(HttpStatusCode.Created, (await regulator.PostAsync("/api/integrity/roots", null)).StatusCode);

        await using (var connection = new NpgsqlConnection(TestCluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var edit = new NpgsqlCommand(
                "update traceability.mt_events set data = jsonb_set(data, '{massKg}', '900') where stream_id = $1 and version = 2", connection);
            edit.Parameters.AddWithValue(vehicle);
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var json = await owner.Client.GetStringAsync($"/api/integrity/batches/{vehicle}");
        using var view = JsonDocument.Parse(json);
        var verdict = view.RootElement.GetProperty("verdict");
        Assert.False(verdict.GetProperty("intact").GetBoolean());
        Assert.Equal(2, verdict.GetProperty("brokenAtVersion").GetInt64());
        Assert.Contains("batch_dispatched", verdict.GetProperty("detail").GetString());

        var (code, output) = Verify(json, await regulator.GetStringAsync("/api/integrity/roots"));
        Assert.Equal(1, code);
        Assert.StartsWith($"BROKEN {vehicle} at version 2", output);

        // The hash is of the content, not of the row: the exact stored value put back holds again.
        await using (var connection = new NpgsqlConnection(TestCluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var undo = new NpgsqlCommand(
                "update traceability.mt_events set data = jsonb_set(data, '{massKg}', '1000') where stream_id = $1 and version = 2", connection);
            undo.Parameters.AddWithValue(vehicle);
            await undo.ExecuteNonQueryAsync();
        }
        var restored = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/integrity/batches/{vehicle}");
        Assert.True(restored.GetProperty("verdict").GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task every_stored_event_of_every_stream_licences_and_alerts_included_is_chained()
    {
        await SchemaTests.WriteEveryEventAsync(Api);
        await using var connection = new NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using (var unchained = new NpgsqlCommand(
            "select count(*) from traceability.mt_events e left join traceability.event_chain c on c.stream_id = e.stream_id and c.version = e.version where c.stream_id is null", connection))
            Assert.Equal(0L, (long)(await unchained.ExecuteScalarAsync())!);

        var streams = new List<(Guid Id, string Type)>();
        await using (var list = new NpgsqlCommand("select distinct on (stream_id) stream_id, type from traceability.mt_events order by stream_id, version", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) streams.Add((reader.GetGuid(0), reader.GetString(1)));
        Assert.Contains(streams, s => s.Type == "licence_granted");
        Assert.Contains(streams, s => s.Type == "alert_raised");
        var source = Api.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var (id, type) in streams)
        {
            var verdict = ChainProof.Verify(await ProveBatchEndpoint.ReadAsync(source, "traceability", id, default));
            Assert.True(verdict.Intact, $"{type} stream {id}: {verdict.Detail}");
        }
    }

    [Fact]
    public async Task a_batch_the_caller_may_not_see_has_no_proof_for_it_and_sealing_is_for_regulators()
    {
        var (chain, _, _, vehicle, _) = await TransferredVehicleAsync();
        var stranger = await chain.PartyAsync("410100", "generator");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/integrity/batches/{vehicle}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.PostAsync("/api/integrity/roots", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.Client.GetAsync("/api/integrity/roots")).StatusCode);
        var badLimit = await stranger.Client.GetAsync("/api/integrity/roots?limit=0");
        Assert.Contains("between 1 and 1000", await Chain.FieldRuleAsync(badLimit, "limit"));
    }

    [Fact]
    public void a_merkle_path_leads_from_every_leaf_to_the_root_and_a_wrong_sibling_does_not()
    {
        for (var count = 1; count <= 9; count++)
        {
            var leaves = Enumerable.Range(0, count).Select(i => ChainProof.Leaf(Guid.NewGuid(), i + 1, new byte[32])).ToList();
            var root = ChainProof.Hex(ChainProof.Root(leaves));
            for (var index = 0; index < count; index++)
            {
                var running = leaves[index];
                foreach (var step in ChainProof.Path(leaves, index))
                    running = step.Side == "left" ? ChainProof.Node(Convert.FromHexString(step.Hash), running) : ChainProof.Node(running, Convert.FromHexString(step.Hash));
                Assert.Equal(root, ChainProof.Hex(running));
            }
        }
    }

    [Fact]
    public void the_worked_example_of_docs_epcis_verifies_and_one_changed_character_breaks_it()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "docs", "examples");
        var (proof, roots) = (File.ReadAllText(Path.Combine(folder, "proof.json")), File.ReadAllText(Path.Combine(folder, "roots.json")));
        var (code, output) = Verify(proof, roots);
        Assert.Equal(0, code);
        Assert.StartsWith("INTACT 01a2b3c4-0000-7000-8000-000000000001: 1 event(s) chained; versions 1-1 sealed in root 1", output);
        var (broken, why) = Verify(proof.Replace("1000.5", "1000.6", StringComparison.Ordinal), roots);
        Assert.Equal(1, broken);
        Assert.Contains("at version 1: event 01a2b3c4-0000-7000-8000-0000000000e1 (batch_generated) no longer hashes", why);
    }

    static (int Code, string Output) Verify(string proof, string roots)
    {
        var proofFile = Path.GetTempFileName();
        var rootsFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(proofFile, proof);
            File.WriteAllText(rootsFile, roots);
            var output = new StringWriter();
            var code = Verifier.Run([proofFile, rootsFile], output);
            return (code, output.ToString());
        }
        finally
        {
            File.Delete(proofFile);
            File.Delete(rootsFile);
        }
    }
}
