using System.Net;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Epcis;

/// <summary>GET /epcis/events: the EPCIS 2.0 REST event query, its filters, paging and the one visibility rule.</summary>
public sealed class EpcisQueryTests(ApiFixture api) : ApiTest(api)
{
    static async Task<List<JsonElement>> EventsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/epcis/events{query}");
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json);
        Assert.Empty(await EpcisExportTests.SchemaErrorsAsync(json));
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList")
            .EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public async Task filters_select_by_step_time_identifier_class_and_location_and_each_party_sees_its_own()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var other = await chain.PartyAsync("320200", "generator");
        var plant = await chain.PartyAsync("320700", "dismantler", "scrapped-vehicle", "dismantle");
        var vin = TestCodes.Vin();
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_000m, 1, new { kind = "vin", value = vin });
        await chain.TransferAsync(owner, plant, vehicle, 1_000m);
        var unrelated = await chain.RegisterAsync(other, "construction-waste", 5m);
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));

        var all = await EventsAsync(regulator, "");
        Assert.Equal(4, all.Count);
        Assert.Equal(3, (await EventsAsync(owner.Client, "")).Count);
        Assert.Single(await EventsAsync(other.Client, ""));

        var shipping = Assert.Single(await EventsAsync(regulator, "?EQ_bizStep=shipping"));
        Assert.Equal("shipping", shipping.GetProperty("bizStep").GetString());
        Assert.Single(await EventsAsync(regulator, "?EQ_bizStep=https://ref.gs1.org/cbv/BizStep-receiving"));
        Assert.Equal(2, (await EventsAsync(regulator, "?EQ_bizStep=shipping|receiving")).Count);

        Assert.Equal(3, (await EventsAsync(regulator, $"?MATCH_epc=https://id.traceability.example/vin/{vin}")).Count);
        Assert.Single(await EventsAsync(regulator, $"?MATCH_anyEPCClass=https://id.traceability.example/batch/{unrelated}"));
        var atPlant = Assert.Single(await EventsAsync(regulator, $"?EQ_bizLocation=https://id.traceability.example/site/{plant.Id}/320700"));
        Assert.Equal("receiving", atPlant.GetProperty("bizStep").GetString());

        var times = all.Select(e => DateTimeOffset.Parse(e.GetProperty("eventTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        var middle = times[1].ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var later = await EventsAsync(regulator, $"?GE_eventTime={middle}");
        var earlier = await EventsAsync(regulator, $"?LT_eventTime={middle}");
        Assert.Equal(all.Count, later.Count + earlier.Count);
        Assert.NotEmpty(later);
        Assert.NotEmpty(earlier);
    }

    [Fact]
    public async Task pages_follow_next_page_tokens_to_the_same_events_in_the_same_order()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        for (var i = 0; i < 5; i++) await chain.RegisterAsync(owner, "construction-waste", 10m + i);
        var whole = (await EventsAsync(owner.Client, "")).Select(e => e.GetProperty("eventID").GetString()).ToList();
        Assert.Equal(5, whole.Count);

        var paged = new List<string?>();
        var query = "?perPage=2";
        for (var pages = 0; pages < 10; pages++)
        {
            var response = await owner.Client.GetAsync($"/epcis/events{query}");
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            paged.AddRange(document.RootElement.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList")
                .EnumerateArray().Select(e => e.GetProperty("eventID").GetString()));
            if (!document.RootElement.TryGetProperty("nextPageToken", out var token)) break;
            Assert.Contains("rel=\"next\"", response.Headers.GetValues("Link").Single());
            query = $"?perPage=2&nextPageToken={token.GetString()}";
        }
        Assert.Equal(whole, paged);
    }

    [Theory]
    [InlineData("?EQ_action=ADD", "EQ_action", "is not a query parameter")]
    [InlineData("?perPage=0", "perPage", "from 1 to 1000")]
    [InlineData("?perPage=1001", "perPage", "from 1 to 1000")]
    [InlineData("?nextPageToken=bm9wZQ", "nextPageToken", "is not a token")]
    [InlineData("?GE_eventTime=22-07-2026", "GE_eventTime", "ISO 8601")]
    public async Task a_bad_parameter_is_a_400_naming_it(string query, string field, string rule)
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var response = await owner.Client.GetAsync($"/epcis/events{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await Chain.FieldRuleAsync(response, field));
    }
}
