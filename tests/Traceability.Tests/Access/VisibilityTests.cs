using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Access;

/// <summary>
/// The one visibility rule, walked over every read endpoint with every kind of caller: what a caller may not
/// see on one endpoint it sees on none. A source batch generated in Wuxi (320200) goes to a collector in
/// Lianyungang (320700), which weighs it short (an alert) and splits it; the part is a batch the generator
/// never held and that never touched Wuxi.
/// </summary>
public sealed class VisibilityTests(ApiFixture api) : ApiTest(api)
{
    const string Wuxi = "320200";
    const string Lianyungang = "320700";
    const string Zhengzhou = "410100";

    sealed record Reader(string Name, HttpClient Client, bool SeesSource, bool SeesPart, bool ReadsAlerts);

    [Fact]
    public async Task every_read_endpoint_gives_each_kind_of_caller_the_same_answer()
    {
        var chain = new Chain(Api);
        var generator = await chain.PartyAsync(Wuxi, "generator");
        var collector = await chain.PartyAsync(Lianyungang, "collector", "renewable-resource", "collect");
        var outsider = await chain.PartyAsync(Zhengzhou, "recycler", "renewable-resource", "recycle");
        var source = await chain.RegisterAsync(generator, "waste-paper", 1_000m);
        await chain.TransferAsync(generator, collector, source, 1_000m, 980m);
        var parts = await chain.SplitAsync(collector, source, new { massKg = 600m }, new { massKg = 380m });
        var part = parts[0];
        await Api.SettledAsync();

        async Task<HttpClient> Key(object body) => Api.ClientWithKey(await Api.IssueKeyAsync(body));
        var national = await Key(new { role = "regulator" });
        var alert = (await national.GetFromJsonAsync<JsonElement>("/api/alerts?rule=receipt-discrepancy")).EnumerateArray().Single().GetProperty("id").GetGuid();
        Reader[] readers =
        [
            new("the generator (held the source only)", generator.Client, true, false, false),
            new("the collector (held both)", collector.Client, true, true, false),
            new("an enterprise that never held either", outsider.Client, false, false, false),
            new("a regulator of Wuxi (the source touched it)", await Key(new { role = "regulator", city = Wuxi }), true, false, true),
            new("a regulator of Zhengzhou (touched by neither)", await Key(new { role = "regulator", city = Zhengzhou }), false, false, true),
            new("a national regulator", national, true, true, true),
            new("a national statistician", await Key(new { role = "statistician" }), true, true, false),
            new("a statistician of Wuxi", await Key(new { role = "statistician", city = Wuxi }), true, false, false),
        ];

        foreach (var reader in readers)
        {
            foreach (var (batch, sees) in new[] { (source, reader.SeesSource), (part, reader.SeesPart) })
            {
                foreach (var read in new[] { "", "/events", "/custody", "/provenance", "/origins", "/destinations" })
                {
                    var response = await reader.Client.GetAsync($"/api/batches/{batch}{read}");
                    Assert.True(response.StatusCode == (sees ? HttpStatusCode.OK : HttpStatusCode.NotFound),
                        $"{reader.Name}: GET /api/batches/{{{(batch == source ? "source" : "part")}}}{read} answered {(int)response.StatusCode}");
                }
                var found = await reader.Client.GetFromJsonAsync<JsonElement>("/api/batches?limit=500");
                Assert.True(sees == found.GetProperty("items").EnumerateArray().Any(b => b.GetProperty("id").GetGuid() == batch),
                    $"{reader.Name}: the search {(sees ? "misses" : "shows")} the {(batch == source ? "source" : "part")}");
            }
            await AssertLineageAgreesAsync(reader, source, part, generator.Id, collector.Id);
            await AssertAlertsAgreeAsync(reader, source, alert);
        }
    }

    /// <summary>A node the caller may not read is redacted in provenance, and its parties and city are undisclosed in origins and destinations.</summary>
    static async Task AssertLineageAgreesAsync(Reader reader, Guid source, Guid part, string generator, string collector)
    {
        if (reader.SeesSource)
        {
            var graph = await reader.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{source}/provenance?direction=downstream");
            var partNode = graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("batchId").GetGuid() == part);
            Assert.True(reader.SeesPart != partNode.GetProperty("redacted").GetBoolean(), $"{reader.Name}: provenance redaction of the part");
            var destinations = await reader.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{source}/destinations");
            var holders = destinations.GetProperty("byHolder").EnumerateArray().Select(h => h.GetProperty("key").GetString()).ToList();
            Assert.True(reader.SeesPart == holders.Contains(collector), $"{reader.Name}: destinations name the part's holder: {string.Join(", ", holders)}");
            Assert.True(reader.SeesPart != holders.Contains("undisclosed"), $"{reader.Name}: destinations undisclose the part's holder");
        }
        if (reader.SeesPart)
        {
            var graph = await reader.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{part}/provenance?direction=upstream");
            var sourceNode = graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("batchId").GetGuid() == source);
            Assert.True(reader.SeesSource != sourceNode.GetProperty("redacted").GetBoolean(), $"{reader.Name}: provenance redaction of the source");
            var origins = await reader.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{part}/origins");
            var generators = origins.GetProperty("byGenerator").EnumerateArray().Select(g => g.GetProperty("key").GetString()).ToList();
            var cities = origins.GetProperty("byCity").EnumerateArray().Select(g => g.GetProperty("key").GetString()).ToList();
            Assert.Equal(reader.SeesSource ? [generator] : ["undisclosed"], generators);
            Assert.Equal(reader.SeesSource ? [Wuxi] : ["undisclosed"], cities);
        }
    }

    /// <summary>The receipt's discrepancy alert touches both cities: regulators of either see it and its history, others do not; nobody else reads alerts.</summary>
    static async Task AssertAlertsAgreeAsync(Reader reader, Guid source, Guid alert)
    {
        var response = await reader.Client.GetAsync("/api/alerts?rule=receipt-discrepancy");
        var history = await reader.Client.GetAsync($"/api/alerts/{alert}/events");
        if (!reader.ReadsAlerts)
        {
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (response.StatusCode, history.StatusCode));
            return;
        }
        var alerts = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.True(reader.SeesSource == alerts.Any(a => a.GetProperty("batchId").GetGuid() == source), $"{reader.Name}: the source's alert in the list");
        Assert.True((reader.SeesSource ? HttpStatusCode.OK : HttpStatusCode.NotFound) == history.StatusCode, $"{reader.Name}: the alert's history answered {(int)history.StatusCode}");
    }
}
