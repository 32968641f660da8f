using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Batches;
using Traceability.Hosting;

namespace Traceability.Benchmarks;

/// <summary>
/// Ingest through the service over real HTTP (Kestrel, sockets, the whole pipeline) at 1, 8 and 32 clients, each next to
/// Marten alone appending the same <see cref="BatchGenerated"/> event (Quick append, no projection, no HTTP) in the same run:
/// - registrations, POST /api/batches: one event per request;
/// - the custody cycle, register + dispatch + receipt: three requests, three events (Marten alone: a stream started and
///   appended to twice, three transactions);
/// - bulk ingest, POST /api/commands (NDJSON), registrations and custody cycles, next to COPY of the same event rows.
/// </summary>
public static class IngestBenchmark
{
    const string City = "320200";
    const string CollectorCity = "320500";
    static readonly string Generator = Code("91320200MA1BENCH2");
    static readonly string Collector = Code("91320500MA1BENCH3");

    static string Code(string stem) => stem + Traceability.Enterprises.SocialCreditCode.CheckCharacter(stem);

    public static async Task<int> RunAsync(NpgsqlDataSource dataSource, string connectionString, int[] clientCounts, int seconds, int bulkLines)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        await using var factory = new ServiceHost(connectionString, EmbeddedPostgres.FreePort());
        var generator = await factory.EnterpriseAsync(Generator, City, "generator");
        var collector = await factory.EnterpriseAsync(Collector, CollectorCity, "collector");
        await factory.GrantAsync(Collector, new { kind = "construction-waste", validFrom = "2020-01-01", validTo = "2035-12-31", capacityTonnesPerYear = 100_000_000 });
        var generatorClients = Enumerable.Range(0, Math.Max(4, clientCounts.Max())).Select(_ => factory.Client(generator)).ToArray();
        var collectorClients = Enumerable.Range(0, Math.Max(4, clientCounts.Max())).Select(_ => factory.Client(collector)).ToArray();

        using var alone = DocumentStore.For(o =>
        {
            o.Connection(dataSource);
            o.DatabaseSchemaName = "bench_marten";
            o.UseSystemTextJsonForSerialization(Weasel.Core.EnumStorage.AsString, Weasel.Core.Casing.CamelCase, j => JsonConventions.Apply(j));
            o.Events.AppendMode = EventAppendMode.Quick;
            o.Events.AddEventType<BatchGenerated>();
        });
        await alone.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        // Warm-up: tiered JIT, connection pools, Wolverine's generated handlers.
        await Load.RunAsync("warm-up", 4, TimeSpan.FromSeconds(Math.Min(10, seconds)), (c, i) => RegisterAsync(generatorClients[c], i));
        await Load.RunAsync("warm-up", 4, TimeSpan.FromSeconds(Math.Min(5, seconds)), (c, i) => CycleAsync(generatorClients[c], collectorClients[c], i));
        await Load.RunAsync("warm-up", 4, TimeSpan.FromSeconds(Math.Min(5, seconds)), (c, i) => AppendAsync(alone, i, 1));

        var rows = new List<(Load Row, Load Baseline)>();
        var statements = new List<string>();
        foreach (var clients in clientCounts)
        {
            await QuietAsync(dataSource);
            var marten = await Load.RunAsync("Marten alone, StartStream(BatchGenerated)", clients, duration, (c, i) => AppendAsync(alone, i, 1));
            var counted = await Statements.StartAsync(dataSource);
            await QuietAsync(dataSource);
            var product = await Load.RunAsync("POST /api/batches", clients, duration, (c, i) => RegisterAsync(generatorClients[c], i));
            statements.Add(await Statements.ReportAsync(dataSource, counted, product.Name, product.Clients, product.Events));
            rows.Add((product, marten));
        }
        foreach (var clients in clientCounts)
        {
            await QuietAsync(dataSource);
            var marten = await Load.RunAsync("Marten alone, 3 appends in 3 transactions", clients, duration, (c, i) => AppendAsync(alone, i, 3));
            var counted = await Statements.StartAsync(dataSource);
            await QuietAsync(dataSource);
            var product = await Load.RunAsync("register + dispatch + receipt (events)", clients, duration, (c, i) => CycleAsync(generatorClients[c], collectorClients[c], i));
            statements.Add(await Statements.ReportAsync(dataSource, counted, product.Name, product.Clients, product.Events));
            rows.Add((product, marten));
        }

        // Bulk: each client sends its share of the lines in one request; COPY writes the same rows in one transaction per client.
        await BulkIngest.PrepareCopyAsync(dataSource);
        var payload = JsonSerializer.Serialize(new { batchId = Guid.CreateVersion7(), category = "construction-waste", massKg = 55, generator = Generator, city = City, occurredAt = "2026-11-01T00:00:00Z" });
        var bulk = new List<(BulkIngest.Result Row, BulkIngest.Result Baseline)>();
        foreach (var clients in clientCounts.Where(c => c <= 8))
        {
            var share = bulkLines / clients;
            await QuietAsync(dataSource);
            var copy = await BulkIngest.MeasureAsync("COPY, streams + events", clients, _ => BulkIngest.CopyAsync(dataSource, share, 1, payload));
            await QuietAsync(dataSource);
            var counted = await Statements.StartAsync(dataSource);
            var product = await BulkIngest.MeasureAsync("POST /api/commands, registrations", clients, async c =>
                (await BulkIngest.SendAsync(generatorClients[c], Enumerable.Range(0, share).Select(i => RegisterLine(Guid.CreateVersion7(), i)))).Count);
            statements.Add(await Statements.ReportAsync(dataSource, counted, product.Name, product.Clients, product.Events));
            bulk.Add((product, copy));
            var cycles = share / 3;
            await QuietAsync(dataSource);
            var copyCycles = await BulkIngest.MeasureAsync("COPY, streams + 3 events each", clients, _ => BulkIngest.CopyAsync(dataSource, cycles, 3, payload));
            await QuietAsync(dataSource);
            counted = await Statements.StartAsync(dataSource);
            var productCycles = await BulkIngest.MeasureAsync("POST /api/commands, custody cycles (events)", clients, c => CyclesAsync(generatorClients[c], collectorClients[c], cycles));
            statements.Add(await Statements.ReportAsync(dataSource, counted, productCycles.Name, productCycles.Clients, productCycles.Events));
            bulk.Add((productCycles, copyCycles));
        }

        Console.WriteLine();
        Console.WriteLine(Load.Header);
        foreach (var (row, baseline) in rows)
        {
            Console.WriteLine(baseline.Row(null));
            Console.WriteLine(row.Row(baseline));
        }
        Console.WriteLine("(a custody cycle is 3 events: cycles/s is the events/s of its row divided by 3)");
        Console.WriteLine();
        Console.WriteLine(BulkIngest.Header);
        foreach (var (row, baseline) in bulk)
        {
            Console.WriteLine(baseline.Row(null));
            Console.WriteLine(row.Row(baseline));
        }
        Console.WriteLine("(custody cycles: 3 events each, cycles/s = events/s / 3)");
        foreach (var line in statements.Where(l => l.Length > 0)) Console.WriteLine(line);
        return 0;
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Waits until the statistics projection has caught up with the log and Wolverine's inbox is empty, so that no
    /// measurement pays for the work the one before it left behind (the baseline included).
    /// </summary>
    static async Task QuietAsync(Npgsql.NpgsqlDataSource dataSource)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = dataSource.CreateCommand("""
                select coalesce((select max(seq_id) from traceability.mt_events), 0)
                     - coalesce((select min(last_seq_id) from traceability.mt_event_progression where name like 'statistics%'), 0)
                     + (select count(*) from traceability.wolverine_incoming_envelopes where status = 'Incoming')
                """);
            if ((long)(await command.ExecuteScalarAsync())! <= 0) return;
            await Task.Delay(200);
        }
        Console.WriteLine("(the projection had not caught up after 5 minutes; measuring anyway)");
    }

    static string RegisterLine(Guid id, long i) => JsonSerializer.Serialize(new
    {
        path = "/api/batches", body = new { id, category = "construction-waste", massKg = 10 + i % 90, occurredAt = "2026-11-01T00:00:00Z" },
    }, Json);

    /// <summary>The generator's file (a registration and a dispatch per batch), then the collector's (a receipt per manifest the first answered).</summary>
    static async Task<long> CyclesAsync(HttpClient generator, HttpClient collector, int cycles)
    {
        var ids = Enumerable.Range(0, cycles).Select(_ => Guid.CreateVersion7()).ToArray();
        var sent = await BulkIngest.SendAsync(generator, ids.SelectMany((id, i) => new[]
        {
            RegisterLine(id, i),
            JsonSerializer.Serialize(new { path = $"/api/batches/{id}/dispatches", body = new { to = Collector, massKg = 10 + i % 90, occurredAt = "2026-11-01T01:00:00Z", vehiclePlate = "苏B12345" } }, Json),
        }));
        await BulkIngest.SendAsync(collector, ids.Select((id, i) => JsonSerializer.Serialize(new
        {
            path = $"/api/batches/{id}/dispatches/{sent[2 * i + 1].GetProperty("manifestId").GetGuid()}/receipt",
            body = new { massKg = 10 + i % 90, occurredAt = "2026-11-01T02:00:00Z" },
        }, Json)));
        return 3L * cycles;
    }

    static async Task<int> RegisterAsync(HttpClient client, long i)
    {
        var response = await client.PostAsJsonAsync("/api/batches", new { category = "construction-waste", massKg = 10 + i % 90, occurredAt = "2026-11-01T00:00:00Z" }, Json);
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"registration: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return 1;
    }

    static async Task<int> CycleAsync(HttpClient generator, HttpClient collector, long i)
    {
        var kg = 10 + i % 90;
        var registered = await Created(await generator.PostAsJsonAsync("/api/batches", new { category = "construction-waste", massKg = kg, occurredAt = "2026-11-01T00:00:00Z" }, Json));
        var batch = registered.GetProperty("id").GetGuid();
        var dispatched = await Created(await generator.PostAsJsonAsync($"/api/batches/{batch}/dispatches",
            new { to = Collector, massKg = kg, occurredAt = "2026-11-01T01:00:00Z", vehiclePlate = "苏B12345" }, Json));
        var manifest = dispatched.GetProperty("manifestId").GetGuid();
        var received = await collector.PostAsJsonAsync($"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = kg, occurredAt = "2026-11-01T02:00:00Z" }, Json);
        if ((int)received.StatusCode != 200) throw new InvalidOperationException($"receipt: {(int)received.StatusCode} {await received.Content.ReadAsStringAsync()}");
        return 3;
    }

    static async Task<JsonElement> Created(HttpResponseMessage response)
    {
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static async Task<int> AppendAsync(DocumentStore store, long i, int events)
    {
        var id = Guid.CreateVersion7();
        for (var n = 0; n < events; n++)
        {
            await using var session = store.LightweightSession();
            var e = new BatchGenerated(id, "construction-waste", new Mass(10 + i % 90), null, null, Generator, City, null, Instant.FromUtc(2026, 11, 1, 0, 0));
            if (n == 0) session.Events.StartStream<Batch>(id, e);
            else session.Events.Append(id, e);
            await session.SaveChangesAsync();
        }
        return events;
    }
}
