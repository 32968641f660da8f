using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Epcis;

/// <summary>POST /epcis/event-hashes over HTTP: the golden answers, the pre-hash strings on request, and its bounds.</summary>
public sealed class HashEventsEndpointTests(ApiFixture api) : ApiTest(api)
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Epcis", "Samples", "hashes");

    static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string query = "") =>
        client.PostAsync($"/epcis/event-hashes{query}", new StringContent(body, Encoding.UTF8, "application/ld+json"));

    [Fact]
    public async Task any_key_gets_the_golden_hashes_and_on_request_the_pre_hash_strings()
    {
        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));
        var document = await File.ReadAllTextAsync(Path.Combine(Folder, "traceability-battery-chain.jsonld"));
        var expected = (await File.ReadAllLinesAsync(Path.Combine(Folder, "traceability-battery-chain.hashes"))).Where(l => l.Length > 0).ToList();
        var preHashes = (await File.ReadAllLinesAsync(Path.Combine(Folder, "traceability-battery-chain.prehashes"))).Where(l => l.Length > 0).ToList();

        var plain = await (await PostAsync(statistician, document)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected.Count, plain.GetProperty("count").GetInt32());
        Assert.Equal(expected, plain.GetProperty("eventHashes").EnumerateArray().Select(h => h.GetProperty("hash").GetString()));
        Assert.All(plain.GetProperty("eventHashes").EnumerateArray(), h => Assert.Equal(JsonValueKind.Null, h.GetProperty("preHash").ValueKind));

        var withPre = await (await PostAsync(statistician, document, "?preHashes=true")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(preHashes, withPre.GetProperty("eventHashes").EnumerateArray().Select(h => h.GetProperty("preHash").GetString()));
        Assert.StartsWith("urn:uuid:", withPre.GetProperty("eventHashes")[0].GetProperty("eventId").GetString());
    }

    [Theory]
    [InlineData("[1, 2]", "body", "EPCIS document")]
    [InlineData("{\"type\": \"EPCISDocument\"}", "epcisBody", "no epcisBody")]
    [InlineData("{\"epcisBody\": {\"eventList\": {}}}", "epcisBody.eventList", "must be an array")]
    [InlineData("{\"epcisBody\": {\"eventList\": [1]}}", "epcisBody.eventList[0]", "must be an object")]
    [InlineData("{\"epcisBody\": ", "body", "must be JSON")]
    public async Task a_document_it_cannot_read_is_a_400_naming_the_field(string body, string field, string rule)
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var response = await PostAsync(owner.Client, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await Chain.FieldRuleAsync(response, field));
    }

    [Fact]
    public async Task nesting_past_the_depth_bound_is_refused_and_no_key_is_refused()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var deep = new string('[', 40) + new string(']', 40);
        var response = await PostAsync(owner.Client, $"{{\"epcisBody\": {{\"eventList\": [{{\"x\": {deep}}}]}}}}");
        Assert.Contains("at most 32 levels", await Chain.FieldRuleAsync(response, "body"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Api.ClientWithKey(null), "{}")).StatusCode);
    }
}
