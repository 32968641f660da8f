using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Batches;

/// <summary>POST /api/commands: NDJSON lines through the single endpoints' checks, one result line each, over HTTP.</summary>
public sealed class IngestCommandsTests(ApiFixture api) : ApiTest(api)
{
    const string At = "2026-11-20T08:00:00Z";

    static string Line(object value) => JsonSerializer.Serialize(value, ApiFixture.Json);

    static object Register(Guid id, decimal massKg = 100m, string? key = null) =>
        new { path = "/api/batches", idempotencyKey = key, body = new { id, category = "construction-waste", massKg, occurredAt = At } };

    static async Task<(HttpStatusCode Status, List<JsonElement> Results)> SendAsync(HttpClient client, string ndjson, string mediaType = "application/x-ndjson")
    {
        var content = new StringContent(ndjson, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        var response = await client.PostAsync("/api/commands", content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, [JsonDocument.Parse(text).RootElement.Clone()]);
        Assert.StartsWith("application/x-ndjson", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())]);
    }

    static int Status(JsonElement result) => result.GetProperty("status").GetInt32();

    static string Rule(JsonElement result, string field) =>
        string.Join("; ", result.GetProperty("problem").GetProperty("errors").GetProperty(field).EnumerateArray().Select(r => r.GetString()));

    [Fact]
    public async Task lines_run_in_order_through_the_single_endpoints_checks_each_answered_and_a_refused_line_stores_nothing()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (collectorId, collector) = await Api.LicensedAsync("320500", "collector", "construction-waste", "collect");
        Guid a = Guid.CreateVersion7(), b = Guid.CreateVersion7(), refused = Guid.CreateVersion7();
        var file = string.Join('\n',
            Line(Register(a, 100m)),
            "",
            Line(Register(b, 250m)),
            Line(new { path = $"/api/batches/{a}/dispatches", body = new { to = collectorId, massKg = 100m, occurredAt = "2026-11-20T09:00:00Z", vehiclePlate = "苏B12345" } }),
            Line(Register(refused, -5m)),
            Line(new { path = "/api/batches/nowhere", body = new { } }),
            "{ not json",
            Line(new { path = $"/api/batches/{b}/dispatches", ifMatch = 7, body = new { to = collectorId, massKg = 250m, occurredAt = "2026-11-20T09:00:00Z" } }),
            Line(Register(a, 5m)),
            Line(new { path = $"/api/batches/{b}/splitting", body = new { parts = new[] { new { massKg = 100m }, new { massKg = 150m } }, occurredAt = "2026-11-20T10:00:00Z" } }));

        var (status, results) = await SendAsync(generator, file + "\n");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([1L, 3, 4, 5, 6, 7, 8, 9, 10], results.Select(r => r.GetProperty("line").GetInt64()));
        Assert.Equal([201, 201, 201, 400, 404, 400, 409, 409, 201], results.Select(Status));
        Assert.Equal(a, results[0].GetProperty("body").GetProperty("id").GetGuid());
        Assert.Equal($"/api/batches/{a}", results[0].GetProperty("location").GetString());
        Assert.Contains("greater than 0", Rule(results[3], "massKg"));
        Assert.Contains("/api/batches/{id}/dispatches", Rule(results[4], "path"));
        Assert.Equal(400, results[5].GetProperty("problem").GetProperty("status").GetInt32());
        Assert.Contains("If-Match", results[6].GetProperty("problem").GetProperty("detail").GetString());
        Assert.Contains("already exists", Rule(results[7], "id"));
        // The split read the batch line 3 registered in the same transaction.
        Assert.Equal(2, results[8].GetProperty("body").GetProperty("children").GetArrayLength());

        // Stored as the single endpoints would have stored it: A under way to the collector, the refused batch nowhere.
        var manifest = results[2].GetProperty("body").GetProperty("manifestId").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await generator.GetAsync($"/api/batches/{refused}")).StatusCode);
        Assert.Equal(100m, (await Chain.StateAsync(generator, a)).GetProperty("remainingKg").GetDecimal());

        // The collector receives it in a file of its own, naming the manifest the dispatch's result gave.
        var (_, receipts) = await SendAsync(collector, Line(new { path = $"/api/batches/{a}/dispatches/{manifest}/receipt", body = new { massKg = 100m, occurredAt = "2026-11-20T11:00:00Z" } }));
        Assert.Equal(200, Status(Assert.Single(receipts)));
        Assert.Equal(collectorId, (await Chain.StateAsync(collector, a)).GetProperty("holder").GetString());
        Assert.NotEqual(generatorId, collectorId);
    }

    [Fact]
    public async Task lines_acting_on_stored_batches_keep_the_visibility_and_if_match_checks_when_fetched_together()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (collectorId, collector) = await Api.LicensedAsync("320500", "collector", "construction-waste", "collect");
        var (_, stranger) = await Api.EnterpriseAsync("320200", "generator");
        var a = await Chain.RegisterAsync(generator, 100m);
        var b = await Chain.RegisterAsync(generator, 200m);
        var kept = await Chain.RegisterAsync(generator, 300m);
        var theirs = await Chain.RegisterAsync(stranger, 400m);
        var toA = await Chain.DispatchAsync(generator, a, collectorId, 100m);
        var toB = await Chain.DispatchAsync(generator, b, collectorId, 200m);
        object Receipt(Guid batch, Guid manifest, decimal kg, long? ifMatch = null) =>
            new { path = $"/api/batches/{batch}/dispatches/{manifest}/receipt", ifMatch, body = new { massKg = kg, occurredAt = "2026-11-21T12:00:00Z" } };

        var (_, results) = await SendAsync(collector, string.Join('\n',
            Line(Receipt(a, toA, 100m)), Line(Receipt(b, toB, 200m, ifMatch: 1)), Line(Receipt(kept, toA, 300m)), Line(Receipt(theirs, toA, 400m)), Line(Receipt(b, toB, 200m, ifMatch: 2))));

        Assert.Equal([200, 409, 404, 404, 200], results.Select(Status));
        Assert.Equal(collectorId, (await Chain.StateAsync(collector, a)).GetProperty("holder").GetString());
        Assert.Equal(collectorId, (await Chain.StateAsync(collector, b)).GetProperty("holder").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await collector.GetAsync($"/api/batches/{kept}")).StatusCode);
    }

    [Fact]
    public async Task a_line_with_an_idempotency_key_replays_as_the_single_endpoint_does_and_the_other_way_round()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var id = Guid.CreateVersion7();
        var (_, results) = await SendAsync(generator, Line(Register(id, 40m, "reg-1")) + "\n" + Line(Register(id, 40m, "reg-1")) + "\n" + Line(Register(id, 41m, "reg-1")));
        Assert.Equal([201, 201, 422], results.Select(Status));
        Assert.False(results[0].TryGetProperty("replayed", out _));
        Assert.True(results[1].GetProperty("replayed").GetBoolean());
        Assert.Equal(results[0].GetProperty("body").GetRawText(), results[1].GetProperty("body").GetRawText());

        // The same key and body through POST /api/batches: the single endpoint replays the line's answer.
        var single = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(new { id, category = "construction-waste", massKg = 40m, occurredAt = At }, options: ApiFixture.Json) };
        single.Headers.Add("Idempotency-Key", "reg-1");
        var replay = await generator.SendAsync(single);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(id, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task a_chunk_whose_commit_fails_is_taken_apart_so_only_the_losing_line_is_refused()
    {
        // Two registrations claiming one battery code in one chunk both pass the claim check (neither is stored yet);
        // the claims collide at commit, and the lines then run alone: the first stores, the second gets its own 409.
        var (_, dealer) = await Api.LicensedAsync("320200", "generator", "power-battery", "collect");
        var code = TestCodes.BatteryCode();
        object Battery(Guid id) => new { path = "/api/batches", body = new { id, category = "power-battery", massKg = 300m, identifier = new { kind = "battery-code", value = code }, occurredAt = At } };
        Guid first = Guid.CreateVersion7(), second = Guid.CreateVersion7(), other = Guid.CreateVersion7();

        var (_, results) = await SendAsync(dealer, string.Join('\n', Line(Battery(first)), Line(Battery(second)), Line(Register(other))));

        Assert.Equal([201, 409, 201], results.Select(Status));
        Assert.Equal(HttpStatusCode.OK, (await dealer.GetAsync($"/api/batches/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.GetAsync($"/api/batches/{second}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dealer.GetAsync($"/api/batches/{other}")).StatusCode);
    }

    [Fact]
    public async Task an_over_long_line_is_refused_alone_and_the_lines_after_it_still_run()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var id = Guid.CreateVersion7();
        var huge = Line(new { path = "/api/batches", body = new { category = "construction-waste", massKg = 1m, occurredAt = At, externalRef = new string('x', 1_100_000) } });
        var (_, results) = await SendAsync(generator, huge + "\n" + Line(Register(id)) + "\n");
        Assert.Equal([413, 201], results.Select(Status));
        Assert.Contains("1048576", Rule(results[0], "line"));
        Assert.Equal([1L, 2], results.Select(r => r.GetProperty("line").GetInt64()));
    }

    [Fact]
    public async Task the_endpoint_takes_ndjson_from_an_enterprise_key_only()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var line = Line(Register(Guid.CreateVersion7()));
        var (wrongType, problem) = await SendAsync(generator, line, "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType);
        Assert.Contains("application/x-ndjson", problem[0].GetProperty("detail").GetString());

        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(regulator, line)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Api.ClientWithKey(null), line)).Status);
    }
}
