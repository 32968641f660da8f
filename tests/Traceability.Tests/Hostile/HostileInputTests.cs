using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Hostile;

/// <summary>
/// The hostile-input corpus (corpus.json, data beside this file): each request, sent by a caller with a valid
/// key, answers a 4xx with an RFC 7807 problem naming the field, never a 5xx, and stores nothing.
/// </summary>
public sealed class HostileInputTests(ApiFixture api) : ApiTest(api)
{
    sealed record Case(string Name, string As, string Method, string Path, string? Body, int? Status, string? Field, string? ContentType);

    static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    static readonly IReadOnlyList<Case> Corpus = JsonSerializer.Deserialize<List<Case>>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hostile", "corpus.json")), Web)!;

    [Fact]
    public async Task every_request_of_the_corpus_is_refused_with_a_problem_and_stores_nothing()
    {
        var chain = new Chain(Api);
        var generator = await chain.PartyAsync("320200", "generator");
        var recycler = await chain.PartyAsync("320700", "recycler", "construction-waste", "collect", "sort", "dismantle", "recycle", "dispose");
        var batch = await chain.RegisterAsync(generator, "construction-waste", 1_000m);
        await chain.TransferAsync(generator, recycler, batch, 1_000m);
        var callers = new Dictionary<string, HttpClient>
        {
            ["generator"] = generator.Client,
            ["recycler"] = recycler.Client,
            ["regulator"] = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" })),
            ["statistician"] = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" })),
            ["admin"] = Api.Admin(),
        };
        string Fill(string text) => text.Replace("{batch}", batch.ToString()).Replace("{recycler}", recycler.Id);

        var failures = new List<string>();
        foreach (var c in Corpus)
        {
            var before = await StoredRowsAsync();
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), Fill(c.Path));
            if (c.Body is not null) request.Content = new StringContent(Fill(c.Body), Encoding.UTF8, c.ContentType ?? "application/json");
            var response = await callers[c.As].SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500 || c.Status is { } expected && status != expected)
                failures.Add($"{c.Name}: {status} {text}");
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                failures.Add($"{c.Name}: {status} without a problem body");
            else if (c.Field is { } field && !(JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _)))
                failures.Add($"{c.Name}: the problem does not name {field}: {text}");
            else if (await StoredRowsAsync() is var after && after != before)
                failures.Add($"{c.Name}: something was stored: {before} then {after}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task a_body_over_a_megabyte_is_413_before_anything_reads_it()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var huge = $$"""{"category":"construction-waste","massKg":10,"occurredAt":"2026-11-20T08:00:00Z","externalRef":"{{new string('x', 10 * 1024 * 1024)}}"}""";

        var response = await generator.PostAsync("/api/batches", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task the_swagger_ui_opens_for_anyone()
    {
        var anyone = Api.ClientWithKey(null);

        var page = await anyone.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    /// <summary>The rows of every event and document table, table by table, once the rules the last request set off have run and the statistics projection has caught up.</summary>
    async Task<string> StoredRowsAsync()
    {
        await Api.SettledAsync();
        await Api.ProjectionsCaughtUpAsync();
        await using var connection = new NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = 'traceability' and (table_name = 'mt_events' or table_name like 'mt_doc_%' or table_name = 'lineage_edges')",
            connection);
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        await using var count = new NpgsqlCommand("select " + string.Join(", ", names.Order().Select(n => $"(select count(*) from traceability.{n})")), connection);
        await using var counts = await count.ExecuteReaderAsync();
        await counts.ReadAsync();
        return string.Join(", ", names.Order().Select((n, i) => $"{n} {counts.GetInt64(i)}"));
    }
}
