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
        Assert.Equal(30, operations.Count);
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
}
