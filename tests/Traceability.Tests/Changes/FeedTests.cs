using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Changes;

/// <summary>GET /api/feed over HTTP: the one visibility rule, order, cursors, long-polling, refusals.</summary>
public sealed class FeedTests(ApiFixture api) : ApiTest(api)
{
    /// <summary>Reads until <paramref name="count"/> events came (each read long-polls), from <paramref name="after"/>.</summary>
    static async Task<(List<JsonElement> Events, string Cursor)> ReadAsync(HttpClient client, int count, string after = "0", int limit = 100)
    {
        var events = new List<JsonElement>();
        var cursor = after;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (events.Count < count && DateTime.UtcNow < deadline)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/feed?after={cursor}&limit={limit}&wait=5");
            events.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("cursor").GetString()!;
        }
        return (events, cursor);
    }

    [Fact]
    public async Task each_party_reads_the_events_it_may_see_in_order_and_resumes_from_its_cursor()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (collectorId, collector) = await Api.LicensedAsync("320500", "collector", "construction-waste", "collect");
        var (_, stranger) = await Api.EnterpriseAsync("320200", "generator");
        var a = await Chain.RegisterAsync(generator, 100m);
        var b = await Chain.RegisterAsync(generator, 200m);
        var theirs = await Chain.RegisterAsync(stranger, 300m);
        await Chain.DispatchAsync(generator, a, collectorId, 100m);

        var (mine, cursor) = await ReadAsync(generator, 3);
        Assert.Equal([(a, "batch_generated"), (b, "batch_generated"), (a, "batch_dispatched")],
            mine.Select(e => (e.GetProperty("batchId").GetGuid(), e.GetProperty("type").GetString())));
        Assert.Equal(100m, mine[0].GetProperty("data").GetProperty("massKg").GetDecimal());
        var cursors = mine.Select(e => long.Parse(e.GetProperty("cursor").GetString()!)).ToList();
        Assert.Equal(cursors.Order(), cursors);

        // The addressee sees the batch dispatched to it, not the generator's other batch nor the stranger's.
        var (addressed, _) = await ReadAsync(collector, 2);
        Assert.All(addressed, e => Assert.Equal(a, e.GetProperty("batchId").GetGuid()));
        var (strangers, _) = await ReadAsync(stranger, 1);
        Assert.Equal(theirs, Assert.Single(strangers).GetProperty("batchId").GetGuid());

        // A page of one, then on from its cursor; after the last, nothing more until something happens.
        var first = await generator.GetFromJsonAsync<JsonElement>("/api/feed?after=0&limit=1");
        var next = await generator.GetFromJsonAsync<JsonElement>($"/api/feed?after={first.GetProperty("cursor").GetString()}&limit=1");
        Assert.Equal(b, next.GetProperty("events")[0].GetProperty("batchId").GetGuid());
        var empty = await generator.GetFromJsonAsync<JsonElement>($"/api/feed?after={cursor}");
        Assert.Equal(0, empty.GetProperty("events").GetArrayLength());
        Assert.True(long.Parse(empty.GetProperty("cursor").GetString()!) >= long.Parse(cursor));
    }

    [Fact]
    public async Task a_long_poll_waits_for_the_next_visible_event_instead_of_answering_empty()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        await Chain.RegisterAsync(generator, 100m);
        var (_, cursor) = await ReadAsync(generator, 1);

        var watch = Stopwatch.StartNew();
        var waiting = generator.GetFromJsonAsync<JsonElement>($"/api/feed?after={cursor}&wait=20");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the long-poll answered before anything happened");
        var later = await Chain.RegisterAsync(generator, 50m);
        var page = await waiting;
        Assert.Equal(later, Assert.Single(page.GetProperty("events").EnumerateArray()).GetProperty("batchId").GetGuid());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the long-poll took {watch.Elapsed} to see the event");
    }

    [Fact]
    public async Task a_city_regulator_reads_the_batches_that_touched_its_city()
    {
        var (_, wuxi) = await Api.EnterpriseAsync("320200", "generator");
        var (_, suzhou) = await Api.EnterpriseAsync("320500", "generator");
        var local = await Chain.RegisterAsync(wuxi, 10m);
        await Chain.RegisterAsync(suzhou, 20m);
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320200" }));
        var (seen, _) = await ReadAsync(regulator, 1);
        Assert.Equal(local, Assert.Single(seen).GetProperty("batchId").GetGuid());
    }

    [Theory]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("wait=31", "wait")]
    [InlineData("wait=-1", "wait")]
    public async Task a_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var response = await generator.GetAsync($"/api/feed?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must", await Chain.FieldRuleAsync(response, field));
    }

    [Fact]
    public async Task the_administrator_and_callers_without_a_key_read_no_feed()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.Admin().GetAsync("/api/feed")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.ClientWithKey(null).GetAsync("/api/feed")).StatusCode);
    }
}
