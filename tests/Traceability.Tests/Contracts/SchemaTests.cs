using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NJsonSchema;
using Npgsql;
using Traceability.Access.Issuing;
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
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var received = await BatchFlow.RegisterAsync(generator);
        var manifest = await BatchFlow.DispatchAsync(generator, received, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await BatchFlow.Receive(recycler, received, manifest, 900m)).StatusCode);
        var rejected = await BatchFlow.RegisterAsync(generator);
        var refused = await BatchFlow.DispatchAsync(generator, rejected, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await recycler.PostAsJsonAsync($"/api/batches/{rejected}/dispatches/{refused}/rejection", new { reason = "wrong load" })).StatusCode);

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
        Assert.Equal(5, types.Count);
        Assert.Equal(types.Order(), Directory.GetFiles(Path.Combine(SchemaFolder, "events")).Select(Path.GetFileNameWithoutExtension).Order()!);
    }

    [Theory]
    [InlineData("register-enterprise")]
    [InlineData("issue-api-key")]
    [InlineData("register-batch")]
    [InlineData("dispatch-batch")]
    [InlineData("receive-batch")]
    [InlineData("reject-dispatch")]
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
            "register-batch" => RegisterBatchDecision.Validate(Read<RegisterBatchRequest>(example), "91320200MA1AAAA01Y", categories).Refusal,
            "dispatch-batch" => DispatchBatchDecision.Validate(Guid.NewGuid(), Read<DispatchBatchRequest>(example), "91320200MA1AAAA01Y", null).Refusal,
            "receive-batch" => ReceiveBatchDecision.Validate(Guid.NewGuid(), Guid.NewGuid(), Read<ReceiveBatchRequest>(example), "91320700MA1BBBB023", null).Refusal,
            _ => RejectDispatchDecision.Validate(Guid.NewGuid(), Guid.NewGuid(), Read<RejectDispatchRequest>(example), "91320700MA1BBBB023", null).Refusal,
        };
        Assert.Null(refusal);
    }

    [Fact]
    public async Task the_schemas_reject_what_the_service_rejects()
    {
        Assert.NotEmpty(await ValidateAsync("api/register-batch.json", """{"category": "weee", "massKg": 0, "occurredAt": "2026-11-20T08:00:00Z"}"""));
        Assert.NotEmpty(await ValidateAsync("api/issue-api-key.json", """{"role": "enterprise"}"""));
        Assert.NotEmpty(await ValidateAsync("events/batch_received.json", """{"batchId": "x"}"""));
    }

    static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiFixture.Json)!;
}
