using System.Text.Json;
using Snapshooter.Xunit;
using Traceability.Tests.Hosting;

namespace Traceability.Tests.Contracts;

public sealed class OpenApiTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task the_openapi_document_matches_its_snapshot()
    {
        var json = await Api.ClientWithKey(null).GetStringAsync("/swagger/v1/swagger.json");
        Snapshot.Match(JsonDocument.Parse(json).RootElement.ToString());
    }

    [Fact]
    public async Task every_operation_has_a_summary_says_who_may_call_and_declares_its_refusals()
    {
        using var document = JsonDocument.Parse(await Api.ClientWithKey(null).GetStringAsync("/swagger/v1/swagger.json"));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name} {path.Name}", Op: op.Value))).ToList();
        Assert.Equal(47, operations.Count);
        foreach (var (name, op) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(op.GetProperty("summary").GetString()), name);
            Assert.Contains("Who may call:", op.GetProperty("description").GetString(), StringComparison.Ordinal);
            var responses = op.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _), $"{name} declares no 401");
            Assert.True(responses.TryGetProperty("403", out _), $"{name} declares no 403");
            if (name.StartsWith("post", StringComparison.Ordinal))
                Assert.True(responses.TryGetProperty("400", out _), $"{name} declares no 400");
        }
    }

    /// <summary>Every request body declares what its schemas/api file requires, so a generated client does not make every field optional.</summary>
    [Fact]
    public async Task request_bodies_declare_their_required_fields_and_bounds_as_the_schemas_do()
    {
        using var document = JsonDocument.Parse(await Api.ClientWithKey(null).GetStringAsync("/swagger/v1/swagger.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var folder = Path.Combine(AppContext.BaseDirectory, "schemas", "api");
        var checkedBodies = 0;
        foreach (var (component, file) in new[]
        {
            ("RegisterBatchRequest", "register-batch"), ("DispatchBatchRequest", "dispatch-batch"), ("ReceiveBatchRequest", "receive-batch"),
            ("RecordFateRequest", "record-fate"), ("SplitBatchRequest", "split-batch"), ("MergeBatchesRequest", "merge-batches"),
            ("GrantLicenceRequest", "grant-licence"), ("RegisterEnterpriseRequest", "register-enterprise"), ("CorrectFigureRequest", "correct-figure"),
        })
        {
            using var source = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"{file}.json")));
            var declared = schemas.GetProperty(component);
            Assert.Equal(source.RootElement.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order(),
                declared.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
            checkedBodies++;
        }
        Assert.Equal(9, checkedBodies);
        var units = schemas.GetProperty("RegisterBatchRequest").GetProperty("properties").GetProperty("units");
        Assert.Equal((1, 1_000_000), (units.GetProperty("minimum").GetInt32(), units.GetProperty("maximum").GetInt32()));
        var to = schemas.GetProperty("DispatchBatchRequest").GetProperty("properties").GetProperty("to");
        Assert.StartsWith("^[0-9A-HJ-NPQRTUWXY]{2}", to.GetProperty("pattern").GetString());
    }
}
