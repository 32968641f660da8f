using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Traceability.Benchmarks;

/// <summary>
/// EPCIS and the hash chain, each against a baseline measured in the same run, through the service's real ASP.NET
/// pipeline (WebApplicationFactory: the whole pipeline in process, without sockets):
/// - the single-write rate (POST /api/batches, one client) with the chain trigger on and off, alternated: the chain's cost;
/// - the capture of one document of <c>events</c> registrations, as events/s next to the single-write rate;
/// - the export of a lineage of <c>batches</c> batches through GET /epcis/events, next to reading the same events from Marten,
///   and single-batch exports next to single-batch state reads.
/// </summary>
public static class EpcisBenchmark
{
    const string City = "320200";
    static readonly string Enterprise = "91320200MA1BENCH1" + Traceability.Enterprises.SocialCreditCode.CheckCharacter("91320200MA1BENCH1");
    static readonly string[] GeneratorRole = ["generator"];

    public static async Task<int> RunAsync(IDocumentStore store, NpgsqlDataSource dataSource, string connectionString, int events, int writes, int batches)
    {
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        await using var factory = new ServiceHost(connectionString);
        var generator = factory.Client(await factory.EnterpriseAsync(Enterprise, City, GeneratorRole));
        var regulator = factory.Client(await factory.KeyAsync(new { role = "regulator" }));

        await WritesAsync(generator, 1000); // warm-up: tiered JIT, connection pool, Wolverine's generated handlers
        // The rate still drifts as the run goes on, so the blocks go on, off, off, on, twice (ABBA ABBA): a linear drift cancels out.
        var rates = new List<(bool Chained, double Rate)>();
        foreach (var chained in new[] { true, false, false, true, true, false, false, true })
        {
            await ChainTriggerAsync(dataSource, chained);
            rates.Add((chained, await WritesAsync(generator, writes / 4)));
        }
        // The same measure without HTTP: Marten appending a registration per transaction, as the pipeline does.
        var appends = new List<(bool Chained, double Rate)>();
        foreach (var chained in new[] { true, false, false, true, true, false, false, true })
        {
            await ChainTriggerAsync(dataSource, chained);
            appends.Add((chained, await AppendsAsync(store, writes / 4)));
        }
        await ChainTriggerAsync(dataSource, true);
        var appendWith = appends.Where(r => r.Chained).Average(r => r.Rate);
        var appendWithout = appends.Where(r => !r.Chained).Average(r => r.Rate);
        var withChain = rates.Where(r => r.Chained).Average(r => r.Rate);
        var withoutChain = rates.Where(r => !r.Chained).Average(r => r.Rate);

        var document = CaptureDocument(events);
        var capture = Stopwatch.StartNew();
        var captured = await generator.PostAsync("/epcis/capture", new StringContent(document, Encoding.UTF8, "application/ld+json"));
        capture.Stop();
        if ((int)captured.StatusCode != 202) throw new InvalidOperationException($"capture refused: {await captured.Content.ReadAsStringAsync()}");
        var captureRate = events / capture.Elapsed.TotalSeconds;

        var build = Stopwatch.StartNew();
        var graph = await LineageBuilder.BuildAsync(store, batches, new Random(20261123));
        Console.WriteLine($"built a lineage of {graph.Batches.Count} batches in {build.Elapsed.TotalSeconds:0.0} s");
        var (exported, exportSeconds) = await ExportAllAsync(regulator);
        var read = Stopwatch.StartNew();
        await using (var session = store.QuerySession())
            _ = await session.Events.QueryAllRawEvents().ToListAsync();
        read.Stop();

        var random = new Random(7);
        var state = await Timing.MeasureAsync("GET /api/batches/{id} (baseline)", 200, async () => _ = await regulator.GetStringAsync($"/api/batches/{graph.Batches[random.Next(graph.Batches.Count)]}"));
        var export = await Timing.MeasureAsync("GET /api/batches/{id}/epcis", 200, async () => _ = await regulator.GetStringAsync($"/api/batches/{graph.Batches[random.Next(graph.Batches.Count)]}/epcis"));
        var proof = await Timing.MeasureAsync("GET /api/integrity/batches/{id}", 200, async () => _ = await regulator.GetStringAsync($"/api/integrity/batches/{graph.Batches[random.Next(graph.Batches.Count)]}"));

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"single write, POST /api/batches, 1 client, chain on:  {withChain,9:0} events/s ({string.Join(", ", rates.Where(r => r.Chained).Select(r => r.Rate.ToString("0", c)))})"));
        Console.WriteLine(string.Create(c, $"single write, POST /api/batches, 1 client, chain off: {withoutChain,9:0} events/s ({string.Join(", ", rates.Where(r => !r.Chained).Select(r => r.Rate.ToString("0", c)))})"));
        Console.WriteLine(string.Create(c, $"chain hash cost on the single-write rate:             {1 - withChain / withoutChain,9:0.0%} (target under 10%)"));
        Console.WriteLine(string.Create(c, $"Marten append, 1 writer, a transaction each, chain on:  {appendWith,7:0} events/s ({string.Join(", ", appends.Where(r => r.Chained).Select(r => r.Rate.ToString("0", c)))})"));
        Console.WriteLine(string.Create(c, $"Marten append, 1 writer, a transaction each, chain off: {appendWithout,7:0} events/s ({string.Join(", ", appends.Where(r => !r.Chained).Select(r => r.Rate.ToString("0", c)))})"));
        Console.WriteLine(string.Create(c, $"chain hash cost on Marten's append rate:              {1 - appendWith / appendWithout,9:0.0%}"));
        Console.WriteLine(string.Create(c, $"capture of {events} registrations in one document:    {captureRate,9:0} events/s ({captureRate / withChain:0.00}x the single-write rate)"));
        Console.WriteLine(string.Create(c, $"export of the lineage, GET /epcis/events:             {exported / exportSeconds,9:0} events/s ({exported} events in {exportSeconds:0.00} s)"));
        Console.WriteLine(string.Create(c, $"the same events read from Marten (baseline):          {exported / read.Elapsed.TotalSeconds,9:0} events/s ({exportSeconds / read.Elapsed.TotalSeconds:0.0}x the time)"));
        Console.WriteLine();
        Console.WriteLine($"{"query",-44} {"median ms",10} {"p99 ms",9} {"median vs state read",22}");
        foreach (var t in new[] { state, export, proof }) Console.WriteLine(t.Row(state));
        return 0;
    }

    static async Task<double> WritesAsync(HttpClient generator, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var response = await generator.PostAsJsonAsync("/api/batches", new { category = "construction-waste", massKg = 10 + i % 90, occurredAt = "2026-11-01T00:00:00Z" });
            if ((int)response.StatusCode != 201) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    static async Task<double> AppendsAsync(IDocumentStore store, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await using var session = store.LightweightSession();
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Traceability.Batches.Batch>(id, new Traceability.Batches.BatchGenerated(id, "construction-waste",
                new Traceability.Batches.Mass(10 + i % 90), null, null, Enterprise, City, null, NodaTime.Instant.FromUtc(2026, 11, 1, 0, 0)));
            await session.SaveChangesAsync();
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    static async Task ChainTriggerAsync(NpgsqlDataSource dataSource, bool on)
    {
        await using var command = dataSource.CreateCommand($"alter table traceability.mt_events {(on ? "enable" : "disable")} trigger event_chain_link_rows");
        await command.ExecuteNonQueryAsync();
    }

    static string CaptureDocument(int events)
    {
        var list = Enumerable.Range(0, events).Select(i => new Dictionary<string, object>
        {
            ["type"] = "ObjectEvent",
            ["eventTime"] = "2026-11-01T09:00:00.000+08:00",
            ["eventTimeZoneOffset"] = "+08:00",
            ["quantityList"] = new[] { new { epcClass = $"https://id.traceability.example/batch/{Guid.CreateVersion7()}", quantity = 10 + i % 90, uom = "KGM" } },
            ["action"] = "ADD",
            ["bizStep"] = "commissioning",
            ["disposition"] = "active",
            ["readPoint"] = new { id = $"https://id.traceability.example/site/{Enterprise}/{City}" },
            ["ilmd"] = new Dictionary<string, object> { ["trc:category"] = "construction-waste" },
        });
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@context"] = new object[] { "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", new Dictionary<string, string> { ["trc"] = "https://ns.traceability.example/epcis/" } },
            ["type"] = "EPCISDocument",
            ["schemaVersion"] = "2.0",
            ["creationDate"] = "2026-11-01T09:00:00.000+08:00",
            ["epcisBody"] = new { eventList = list },
        });
    }

    /// <summary>Every event the regulator may see, page by page (1,000 per page), as a client of the EPCIS query would take them.</summary>
    static async Task<(int Events, double Seconds)> ExportAllAsync(HttpClient regulator)
    {
        var watch = Stopwatch.StartNew();
        var total = 0;
        var query = "/epcis/events?perPage=1000";
        while (true)
        {
            using var page = JsonDocument.Parse(await regulator.GetStringAsync(query));
            total += page.RootElement.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList").GetArrayLength();
            if (!page.RootElement.TryGetProperty("nextPageToken", out var token)) break;
            query = $"/epcis/events?perPage=1000&nextPageToken={token.GetString()}";
        }
        return (total, watch.Elapsed.TotalSeconds);
    }
}
