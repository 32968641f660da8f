using Traceability.Requests;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NJsonSchema;
using Npgsql;
using Traceability.Access;
using Traceability.Access.Issuing;
using Traceability.Batches.Correcting;
using Traceability.Batches.Dismantling;
using Traceability.Batches.Fates;
using Traceability.Batches.Merging;
using Traceability.Batches.Sorting;
using Traceability.Batches.Splitting;
using Traceability.Licensing.Granting;
using Traceability.Licensing.Revoking;
using Traceability.Tests.Lifecycle;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Enterprises.Registering;
using Traceability.ReferenceData;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;

namespace Traceability.Tests.Contracts;

/// <summary>The schemas in schemas/ are the contract: stored events and API examples must satisfy them.</summary>
public sealed class SchemaTests(ApiFixture api) : ApiTest(api)
{
    static readonly string SchemaFolder = Path.Combine(AppContext.BaseDirectory, "schemas");

    static async Task<ICollection<NJsonSchema.Validation.ValidationError>> ValidateAsync(string schemaFile, string json)
    {
        var schema = await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(Path.Combine(SchemaFolder, schemaFile)));
        return schema.Validate(json);
    }

    [Fact]
    public async Task every_event_the_store_holds_satisfies_its_schema()
    {
        await WriteEveryEventAsync(Api);

        await using var connection = new NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select type, data::text from traceability.mt_events order by seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var types = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            var (type, data) = (reader.GetString(0), reader.GetString(1));
            types.Add(type);
            Assert.True(File.Exists(Path.Combine(SchemaFolder, "events", $"{type}.json")), $"no schema for event {type}");
            var errors = await ValidateAsync(Path.Combine("events", $"{type}.json"), data);
            Assert.True(errors.Count == 0, $"{type} {data}: {string.Join("; ", errors)}");
        }
        Assert.Equal(20, types.Count);
        Assert.Equal(types.Order(), Directory.GetFiles(Path.Combine(SchemaFolder, "events")).Select(Path.GetFileNameWithoutExtension).Order()!);
    }

    /// <summary>Writes every event type the store knows, through the API: the EPCIS export tests use the same history.</summary>
    internal static async Task WriteEveryEventAsync(ApiFixture Api)
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var received = await Chain.RegisterAsync(generator);
        var manifest = await Chain.DispatchAsync(generator, received, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await Chain.Receive(recycler, received, manifest, 900m)).StatusCode);
        var rejected = await Chain.RegisterAsync(generator);
        var refused = await Chain.DispatchAsync(generator, rejected, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await recycler.PostAsJsonAsync($"/api/batches/{rejected}/dispatches/{refused}/rejection", new { reason = "wrong load" })).StatusCode);
        await EveryTransformationAsync(Api);
        await LicenceAlertAndIdentifierStreamsAsync(Api, recyclerId);
        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        Assert.Equal(HttpStatusCode.Created, (await regulator.PostAsync("/api/integrity/roots", null)).StatusCode);
    }

    /// <summary>A licence revoked, an alert (the 900 kg receipt's discrepancy) resolved, a held VIN claimed again.</summary>
    static async Task LicenceAlertAndIdentifierStreamsAsync(ApiFixture Api, string recyclerId)
    {
        var licence = await Api.GrantAsync(recyclerId, "store", "construction-waste");
        var admin = Api.Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enterprises/{recyclerId}/licences/{licence.GetProperty("id").GetGuid()}/revocation",
            new { reason = "storage yard closed" })).StatusCode);
        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var alert = (await regulator.GetFromJsonAsync<JsonElement>("/api/alerts?rule=receipt-discrepancy")).EnumerateArray().First();
        Assert.Equal(HttpStatusCode.OK, (await regulator.PostAsJsonAsync($"/api/alerts/{alert.GetProperty("id").GetGuid()}/resolution", new { note = "checked" })).StatusCode);
        var (_, dealer) = await Api.EnterpriseAsync("320200", "generator");
        var vehicle = new { category = "scrapped-vehicle", massKg = 1200m, identifier = new { kind = "vin", value = TestCodes.Vin() }, occurredAt = Chain.Generated };
        Assert.Equal(HttpStatusCode.Created, (await Chain.Register(dealer, vehicle)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Chain.Register(dealer, vehicle)).StatusCode);
        var waste = await Chain.Register(dealer, new { category = "hw49", massKg = 10m, wasteCode = "900-041-49", occurredAt = Chain.Generated });
        var id = (await waste.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await regulator.PostAsJsonAsync($"/api/batches/{id}/storage-extensions",
            new { until = "2027-12-31", approvalNumber = "A-1", reason = "awaiting a licensed disposer" })).StatusCode);
    }

    /// <summary>Sorting, dismantling, splitting, merging, cascade use, a recycling fate with outputs, and a correction.</summary>
    static async Task EveryTransformationAsync(ApiFixture Api)
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var plant = await chain.PartyAsync("410100", "dismantler", "scrapped-vehicle", "dismantle", "sort");
        await Api.GrantAsync(plant.Id, "recycle", "renewable-resource");
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = TestCodes.Vin() });
        await Chain.PostAsync(owner, $"/api/batches/{vehicle}/corrections", new { eventVersion = 1, field = "massKg", value = 1_100m, reason = "kerb weight, not tare" });
        await chain.TransferAsync(owner, plant, vehicle, 1_100m);
        var parts = await chain.DismantleAsync(plant, vehicle, [Chain.Out("vehicle-parts", 300m, 4), Chain.Out("scrap-steel", 790m)], Chain.Lost("other", 10m, "fluids"));
        var sorted = await chain.SortAsync(plant, parts[0], [Chain.Out("scrap-copper", 100m), Chain.Out("waste-plastics", 200m)]);
        var steel = await chain.SplitAsync(plant, parts[1], new { massKg = 400m }, new { massKg = 390m });
        var lot = await chain.MergeAsync(plant, steel);
        await chain.RecycleAsync(plant, lot, 790m, [Chain.Out("recycled-steel", 780m)], Chain.Lost("residue", 10m, "slag"));
        Assert.Equal(2, sorted.Length);
        var dealer = await chain.PartyAsync("320200", "generator");
        var cascader = await chain.PartyAsync("320200", "recycler", "power-battery", "collect", "cascade-use");
        var module = await chain.RegisterAsync(dealer, "battery-module", 50m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode('M') });
        await chain.TransferAsync(dealer, cascader, module, 50m);
        await Chain.PostAsync(cascader, "/api/batches/cascade-use", new
        {
            batches = new[] { module }, product = new { massKg = 49m, identifier = new { kind = "battery-code", value = TestCodes.BatteryCode('M') } },
            losses = new[] { Chain.Lost("process", 1m, "one cell rejected") }, occurredAt = chain.Next(),
        });
    }

    [Theory]
    [InlineData("grant-licence")]
    [InlineData("revoke-licence")]
    [InlineData("sort-batch")]
    [InlineData("dismantle-batch")]
    [InlineData("split-batch")]
    [InlineData("merge-batches")]
    [InlineData("record-fate")]
    [InlineData("correct-figure")]
    [InlineData("register-enterprise")]
    [InlineData("issue-api-key")]
    [InlineData("register-batch")]
    [InlineData("dispatch-batch")]
    [InlineData("receive-batch")]
    [InlineData("reject-dispatch")]
    [InlineData("cascade-use")]
    [InlineData("extend-storage")]
    [InlineData("ingest-command-line")]
    [InlineData("register-webhook")]
    public async Task each_api_example_satisfies_its_schema_and_the_services_own_validation(string name)
    {
        var example = await File.ReadAllTextAsync(Path.Combine(SchemaFolder, "api", "examples", $"{name}.json"));

        var errors = await ValidateAsync(Path.Combine("api", $"{name}.json"), example);
        Assert.True(errors.Count == 0, string.Join("; ", errors));

        var cities = Cities.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));
        var categories = Categories.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));
        var refusal = name switch
        {
            "register-enterprise" => Read<RegisterEnterpriseRequest>(example).Validate(cities).Refusal,
            "issue-api-key" => Read<IssueApiKeyRequest>(example).Validate(cities).Refusal,
            "register-batch" => Read<RegisterBatchRequest>(example).Validate("91320200MA1AAAA01Y", categories).Refusal,
            "dispatch-batch" => Read<DispatchBatchRequest>(example).Validate(Guid.NewGuid(), "91320200MA1AAAA01Y", null).Refusal,
            "receive-batch" => Read<ReceiveBatchRequest>(example).Validate(Guid.NewGuid(), Guid.NewGuid(), "91320700MA1BBBB023", null).Refusal,
            "grant-licence" => Read<GrantLicenceRequest>(example).Validate("91320700MA1BBBB023", Admin, categories).Refusal,
            "revoke-licence" => Read<RevokeLicenceRequest>(example).Validate("91320700MA1BBBB023", Guid.NewGuid(), Admin).Refusal,
            "sort-batch" => Read<SortBatchRequest>(example).Validate(Guid.NewGuid(), "91320700MA1BBBB023", null, categories).Refusal,
            "dismantle-batch" => Read<DismantleBatchRequest>(example).Validate(Guid.NewGuid(), "91320700MA1BBBB023", null, categories).Refusal,
            "split-batch" => Read<SplitBatchRequest>(example).Validate(Guid.NewGuid(), "91320700MA1BBBB023", null).Refusal,
            "merge-batches" => Read<MergeBatchesRequest>(example).Validate("91320700MA1BBBB023", categories).Refusal,
            "record-fate" => Read<RecordFateRequest>(example).Validate(Guid.NewGuid(), "91320700MA1BBBB023", null, categories).Refusal,
            "correct-figure" => Read<CorrectFigureRequest>(example).Validate(Guid.NewGuid(), "91320700MA1BBBB023", null).Refusal,
            "extend-storage" => Read<Traceability.Compliance.Extending.ExtendStorageRequest>(example).Validate(Guid.NewGuid(), Admin, _ => 365).Refusal,
            "cascade-use" => Read<Traceability.Batches.CascadeUsing.CascadeUseRequest>(example).Validate("91320700MA1BBBB023", categories).Refusal,
            "ingest-command-line" => Traceability.Batches.Ingesting.CommandLines.Read(1, System.Text.Encoding.UTF8.GetBytes(example), "91320200MA1AAAA01Y", "enterprise:91320200MA1AAAA01Y",
                categories, Traceability.Hosting.RequestJson.Apply(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))).Refusal,
            "register-webhook" => Traceability.Changes.Webhooks.WebhookEndpoints.UrlRule(Read<Traceability.Changes.Webhooks.RegisterWebhookRequest>(example).Url!, new()) is { } rule
                ? Refusal.Invalid("url", rule) : null,
            _ => Read<RejectDispatchRequest>(example).Validate(Guid.NewGuid(), Guid.NewGuid(), "91320700MA1BBBB023", null).Refusal,
        };
        Assert.Null(refusal);
    }

    [Fact]
    public async Task the_schemas_reject_what_the_service_rejects()
    {
        Assert.NotEmpty(await ValidateAsync("api/register-batch.json", """{"category": "weee", "massKg": 0, "occurredAt": "2026-11-20T08:00:00Z"}"""));
        Assert.NotEmpty(await ValidateAsync("api/issue-api-key.json", """{"role": "enterprise"}"""));
        Assert.NotEmpty(await ValidateAsync("events/batch_received.json", """{"batchId": "x"}"""));
        Assert.NotEmpty(await ValidateAsync("api/record-fate.json", """{"fate": "burn", "massKg": 1, "occurredAt": "2026-11-20T08:00:00Z"}"""));
        Assert.NotEmpty(await ValidateAsync("api/ingest-command-line.json", """{"path": "/api/batches"}"""));
        Assert.NotEmpty(await ValidateAsync("api/register-webhook.json", """{"url": "https://example.org/h", "after": "soon"}"""));
        Assert.NotEmpty(await ValidateAsync("api/grant-licence.json", """{"activity": "recycle", "categoryGroup": "batteries", "validFrom": "2026-01-01", "validTo": "2026-12-31", "capacityTonnesPerYear": 1}"""));
    }

    static readonly Caller Admin = new("admin", "admin", null, null);

    static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiFixture.Json)!;
}
