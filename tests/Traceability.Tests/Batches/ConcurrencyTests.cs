using System.Net;
using System.Net.Http.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Batches;

public sealed class ConcurrencyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_write_with_a_stale_if_match_version_is_a_conflict()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var etag = (await generator.GetAsync($"/api/batches/{id}")).Headers.ETag?.Tag;
        Assert.Equal("\"1\"", etag);

        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/batches/{id}/dispatches")
        {
            Content = JsonContent.Create(new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched }, options: ApiFixture.Json),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "7");
        var conflict = await generator.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("version 1", (await ProblemAsync(conflict)).GetProperty("detail").GetString());

        using var current = new HttpRequestMessage(HttpMethod.Post, $"/api/batches/{id}/dispatches")
        {
            Content = JsonContent.Create(new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched }, options: ApiFixture.Json),
        };
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.Created, (await generator.SendAsync(current)).StatusCode);
    }

    [Fact]
    public async Task concurrent_dispatches_of_one_batch_let_exactly_one_win_and_the_rest_get_409()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var addressees = new List<string>();
        for (var i = 0; i < 6; i++) addressees.Add((await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle")).Id);
        var id = await RegisterAsync(generator);

        var responses = await Task.WhenAll(addressees.Select(to => Dispatch(generator, id, new { to, massKg = 1000m, occurredAt = Dispatched })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(2, (await StateAsync(generator, id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task twenty_concurrent_registrations_of_one_new_vin_leave_exactly_one_holder()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var vin = TestCodes.Vin();
        var body = new { category = "scrapped-vehicle", massKg = 1_200m, identifier = new { kind = "vin", value = vin }, occurredAt = chain.Next() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Register(owner.Client, body)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        Assert.Single((await regulator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/batches?identifier={vin}&limit=100")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task concurrent_resolutions_of_one_alert_let_exactly_one_note_stand_and_the_rest_get_409()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var batch = await RegisterAsync(generator);
        var manifest = await DispatchAsync(generator, batch, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await Receive(recycler, batch, manifest, 900m)).StatusCode);
        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var alerts = (await regulator.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/alerts")).EnumerateArray().ToList();
        Assert.True(alerts.Count == 1, $"one alert expected, got: {string.Join(", ", alerts)}");
        var alert = alerts[0].GetProperty("id").GetGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => regulator.PostAsJsonAsync($"/api/alerts/{alert}/resolution", new { note = $"note {i}" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var history = await regulator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/alerts/{alert}/events");
        Assert.Equal(["alert_raised", "alert_resolved"], history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task the_same_idempotency_key_sent_fifty_times_at_once_is_one_write_and_forty_nine_replays()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        async Task<HttpResponseMessage> Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches")
            {
                Content = JsonContent.Create(new { category = "construction-spoil", massKg = 10m, occurredAt = Generated }, options: ApiFixture.Json),
            };
            request.Headers.Add("Idempotency-Key", "burst-1");
            return await generator.SendAsync(request);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Send()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location?.ToString()).Distinct());
        Assert.Equal(49, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
    }
}
