using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Traceability.Benchmarks;

/// <summary>
/// Bulk ingest through POST /api/commands next to COPY of the same event rows into tables shaped like Marten's (same
/// columns and indexes, no triggers, no projections): registrations, and custody cycles (the generator's file of
/// registrations and dispatches, then the collector's file of receipts naming the manifests the first answered).
/// </summary>
public static class BulkIngest
{
    public sealed record Result(string Name, int Clients, long Events, double Seconds, double ProcessCpuMsPerEvent, double MachineCpuMsPerEvent)
    {
        public double Rate => Events / Seconds;

        public string Row(Result? baseline) => string.Create(CultureInfo.InvariantCulture,
            $"{Name,-52} {Clients,7} {Rate,10:0} {Events,10} {ProcessCpuMsPerEvent,15:0.000} {MachineCpuMsPerEvent,15:0.000} {(baseline is null ? "" : $"{Rate / baseline.Rate:0.00}x"),12}");
    }

    public static string Header => $"{"bulk",-52} {"clients",7} {"events/s",10} {"events",10} {"cpu ms/ev proc",15} {"cpu ms/ev host",15} {"vs COPY",12}";

    public static async Task<Result> MeasureAsync(string name, int clients, Func<int, Task<long>> work)
    {
        var machine = Load.MachineBusyMs();
        var process = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var events = (await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => work(c))))).Sum();
        var seconds = watch.Elapsed.TotalSeconds;
        return new Result(name, clients, events, seconds, (Process.GetCurrentProcess().TotalProcessorTime - process).TotalMilliseconds / events,
            (Load.MachineBusyMs() - machine) / events);
    }

    /// <summary>Sends the lines, reads the results as they stream back; answers each result line's body, failing on any refusal.</summary>
    public static async Task<List<JsonElement>> SendAsync(HttpClient client, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines) text.Append(line).Append('\n');
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text.ToString()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commands") { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var bodies = new List<JsonElement>();
        while (await reader.ReadLineAsync() is { } result)
        {
            using var parsed = JsonDocument.Parse(result);
            var status = parsed.RootElement.GetProperty("status").GetInt32();
            if (status >= 300) throw new InvalidOperationException($"bulk line refused: {result}");
            bodies.Add(parsed.RootElement.TryGetProperty("body", out var body) ? body.Clone() : default);
        }
        return bodies;
    }

    /// <summary>Tables with mt_streams' and mt_events' columns and indexes, to COPY into.</summary>
    public static async Task PrepareCopyAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            drop schema if exists bench_copy cascade;
            create schema bench_copy;
            create table bench_copy.streams (like traceability.mt_streams including all);
            create table bench_copy.events (like traceability.mt_events including all);
            create sequence bench_copy.seq;
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>COPY of <paramref name="streams"/> streams of <paramref name="perStream"/> events each (a registration's row, then its custody events').</summary>
    public static async Task<long> CopyAsync(NpgsqlDataSource dataSource, int streams, int perStream, string payload)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var ids = Enumerable.Range(0, streams).Select(_ => Guid.CreateVersion7()).ToArray();
        var now = DateTime.UtcNow;
        await using (var writer = await connection.BeginBinaryImportAsync("copy bench_copy.streams (id, type, version, timestamp, created, tenant_id) from stdin (format binary)"))
        {
            foreach (var id in ids)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync("batch", NpgsqlDbType.Varchar);
                await writer.WriteAsync((long)perStream, NpgsqlDbType.Bigint);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
            }
            await writer.CompleteAsync();
        }
        long seq;
        await using (var reserve = new NpgsqlCommand($"select setval('bench_copy.seq', nextval('bench_copy.seq') + {streams * perStream})", connection, tx))
            seq = (long)(await reserve.ExecuteScalarAsync())! - streams * perStream;
        await using (var writer = await connection.BeginBinaryImportAsync("copy bench_copy.events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type) from stdin (format binary)"))
        {
            foreach (var id in ids)
                for (var v = 1; v <= perStream; v++)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(seq++, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                    await writer.WriteAsync((long)v, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(payload, NpgsqlDbType.Jsonb);
                    await writer.WriteAsync("batch_generated", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
                    await writer.WriteAsync("Traceability.Batches.BatchGenerated, Traceability.Api", NpgsqlDbType.Varchar);
                }
            await writer.CompleteAsync();
        }
        await tx.CommitAsync();
        return (long)streams * perStream;
    }
}
