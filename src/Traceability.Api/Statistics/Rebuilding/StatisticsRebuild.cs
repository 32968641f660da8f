using System.Reflection;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Traceability.Statistics.Rebuilding;

/// <summary>What a bulk rebuild read and wrote, and up to which event.</summary>
public sealed record RebuildOutcome(long Events, long Batches, long Facts, long Sums, long UpTo, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// The statistics projection rebuilt from the event log in bulk, to the same documents, facts and sums the daemon
/// writes event by event (a test compares them row for row). Marten's own rebuild stores each batch's document
/// through the trigger that moves its facts and adds them to their monthly sums one upsert at a time; here:
/// <list type="number">
/// <item>the batch events up to the high-water mark are read in stream order, so each batch is folded by the
/// projection's own <c>Create</c>/<c>Apply</c> methods and let go: memory holds one chunk, not the store;</item>
/// <item>documents and facts go in with binary COPY, the trigger off for the rebuild's transaction;</item>
/// <item>the sums (month, year for stock and flows, the nation's) are added up in memory and copied once;</item>
/// <item>the projection's progression is set to the mark in the same transaction, so the daemon goes on from there.</item>
/// </list>
/// It is one transaction: a reader of the statistics waits for it rather than seeing half a rebuild, and a failure
/// leaves everything as it was. The node's daemon agent for the projection is stopped for the duration.
/// </summary>
public static class StatisticsRebuild
{
    public const string ShardName = "statistics:All";
    const int ChunkEvents = 20_000;
    const string SortMemory = "256MB";

    public static async Task<RebuildOutcome> RunAsync(IDocumentStore store, NpgsqlDataSource dataSource, IProjectionDaemon? daemon, CancellationToken ct)
    {
        var running = daemon is not null && daemon.CurrentAgents().Any(a => a.Name.Identity == ShardName);
        if (running) await daemon!.StopAgentAsync(ShardName);
        try
        {
            return await RebuildAsync(store, dataSource, online: running, ct);
        }
        finally
        {
            if (running) await daemon!.StartAgentAsync(ShardName, CancellationToken.None);
        }
    }

    static async Task<RebuildOutcome> RebuildAsync(IDocumentStore store, NpgsqlDataSource dataSource, bool online, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var schema = store.Options.Events.DatabaseSchemaName;
        var folds = Fold.ForProjection(store);
        var serializer = store.Options.Serializer();

        await using var writer = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await writer.BeginTransactionAsync(ct);
        await Execute(writer, "set local statement_timeout = 0", ct);
        var upTo = await UpToAsync(writer, schema, online, ct);
        // The truncation empties the facts and sums too (their trigger); the move trigger stays off until the commit.
        await Execute(writer, $"truncate {schema}.mt_doc_batchfigures", ct);
        await Execute(writer, $"alter table {schema}.mt_doc_batchfigures disable trigger stat_facts_move_rows", ct);

        var sums = new Sums();
        long events = 0, batches = 0, facts = 0;
        // Reading and writing overlap: the reader folds the next chunk while the writer copies the last.
        var chunks = System.Threading.Channels.Channel.CreateBounded<List<Folded>>(2);
        var reading = Task.Run(async () =>
        {
            try
            {
                await using var reader = await dataSource.OpenConnectionAsync(ct);
                await using var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
                // The whole log is sorted by stream before the first row: with the default 4 MB the sort merges its runs
                // from disk in several passes, with this in one. Local to this read's transaction.
                await Execute(reader, $"set local work_mem = '{SortMemory}'", ct);
                await using var command = new NpgsqlCommand(
                    $"select stream_id, version, seq_id, id, type, timestamp, data from {schema}.mt_events " +
                    "where seq_id <= $1 and type = any($2) order by stream_id, version", reader) { CommandTimeout = 0 };
                command.Parameters.AddWithValue(upTo);
                command.Parameters.AddWithValue(folds.TypeNames);
                await using var rows = await command.ExecuteReaderAsync(ct);
                var chunk = new List<Folded>();
                var chunkEvents = 0;
                Guid current = default;
                BatchFigures? figures = null;
                long version = 0;
                while (await rows.ReadAsync(ct))
                {
                    var streamId = rows.GetGuid(0);
                    if (streamId != current)
                    {
                        if (figures is not null) chunk.Add(new Folded(figures, version));
                        if (chunkEvents >= ChunkEvents) { await chunks.Writer.WriteAsync(chunk, ct); chunk = []; chunkEvents = 0; }
                        (current, figures) = (streamId, null);
                    }
                    version = rows.GetInt64(1);
                    var sequence = rows.GetInt64(2);
                    var id = rows.GetGuid(3);
                    var fold = folds.For(rows.GetString(4));
                    var timestamp = rows.GetFieldValue<NodaTime.Instant>(5).ToDateTimeOffset();
                    var data = serializer.FromJson(fold.EventType, rows, 6);
                    var e = fold.Wrap(data);
                    (e.StreamId, e.Version, e.Sequence, e.Id, e.Timestamp) = (streamId, version, sequence, id, timestamp);
                    figures = fold.Apply(figures, e);
                    chunkEvents++;
                    Interlocked.Increment(ref events);
                }
                if (figures is not null) chunk.Add(new Folded(figures, version));
                if (chunk.Count > 0) await chunks.Writer.WriteAsync(chunk, ct);
                chunks.Writer.Complete();
            }
            catch (Exception failure)
            {
                chunks.Writer.Complete(failure);
                throw;
            }
        }, ct);

        await foreach (var chunk in chunks.Reader.ReadAllAsync(ct))
        {
            await using (var documents = await writer.BeginBinaryImportAsync(
                $"copy {schema}.mt_doc_batchfigures (id, data, mt_dotnet_type, mt_version) from stdin (format binary)", ct))
            {
                foreach (var (figures, version) in chunk)
                {
                    var gained = figures.Facts;
                    figures.Facts = [];
                    await documents.StartRowAsync(ct);
                    await documents.WriteAsync(figures.Id, NpgsqlDbType.Uuid, ct);
                    await documents.WriteAsync(serializer.ToJson(figures), NpgsqlDbType.Jsonb, ct);
                    await documents.WriteAsync(typeof(BatchFigures).FullName!, NpgsqlDbType.Varchar, ct);
                    await documents.WriteAsync(version, NpgsqlDbType.Bigint, ct);
                    figures.Facts = gained;
                }
                await documents.CompleteAsync(ct);
            }
            await using (var rows = await writer.BeginBinaryImportAsync(
                $"copy {schema}.{StatFactsTable.TableName} (batch_id, n, view, month, city, category, measure, to_city, origin_month, kg, units, recorded_ms) from stdin (format binary)", ct))
            {
                foreach (var (figures, _) in chunk)
                {
                    var n = 0;
                    foreach (var fact in figures.Facts)
                    {
                        await rows.StartRowAsync(ct);
                        await rows.WriteAsync(figures.Id, NpgsqlDbType.Uuid, ct);
                        await rows.WriteAsync(++n, NpgsqlDbType.Integer, ct);
                        await rows.WriteAsync(fact.View, NpgsqlDbType.Text, ct);
                        await rows.WriteAsync(fact.Month, NpgsqlDbType.Text, ct);
                        await rows.WriteAsync(fact.City, NpgsqlDbType.Text, ct);
                        await rows.WriteAsync(fact.Category, NpgsqlDbType.Text, ct);
                        await rows.WriteAsync(fact.Measure, NpgsqlDbType.Text, ct);
                        await WriteNullableAsync(rows, fact.ToCity, ct);
                        await WriteNullableAsync(rows, fact.OriginMonth, ct);
                        await rows.WriteAsync(fact.Kg, NpgsqlDbType.Numeric, ct);
                        await rows.WriteAsync((long)fact.Units, NpgsqlDbType.Bigint, ct);
                        await rows.WriteAsync(fact.RecordedMs, NpgsqlDbType.Bigint, ct);
                        sums.Add(fact);
                        facts++;
                    }
                }
                await rows.CompleteAsync(ct);
            }
            batches += chunk.Count;
        }
        await reading;

        await using (var rows = await writer.BeginBinaryImportAsync(
            $"copy {schema}.{StatFactsTable.MonthlyName} (view, city, month, category, measure, origin_month, to_city, kg, units, max_recorded_ms) from stdin (format binary)", ct))
        {
            foreach (var (key, sum) in sums.All)
            {
                await rows.StartRowAsync(ct);
                foreach (var part in new[] { key.View, key.City, key.Month, key.Category, key.Measure, key.OriginMonth, key.ToCity })
                    await rows.WriteAsync(part, NpgsqlDbType.Text, ct);
                await rows.WriteAsync(sum.Kg, NpgsqlDbType.Numeric, ct);
                await rows.WriteAsync(sum.Units, NpgsqlDbType.Bigint, ct);
                await rows.WriteAsync(sum.MaxRecordedMs, NpgsqlDbType.Bigint, ct);
            }
            await rows.CompleteAsync(ct);
        }
        await Execute(writer, $"alter table {schema}.mt_doc_batchfigures enable trigger stat_facts_move_rows", ct);
        // The sums are in the current layout, so a start-up need not sum them again.
        await Execute(writer, $"delete from {schema}.{StatFactsTable.LayoutName}; insert into {schema}.{StatFactsTable.LayoutName} (version) values ({StatisticsLayout.Version})", ct);
        await using (var progress = new NpgsqlCommand(
            $"insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values ($1, $2, transaction_timestamp()) " +
            "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated", writer))
        {
            progress.Parameters.AddWithValue(ShardName);
            progress.Parameters.AddWithValue(upTo);
            await progress.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        await Execute(writer, $"analyze {schema}.{StatFactsTable.TableName}; analyze {schema}.{StatFactsTable.MonthlyName}; analyze {schema}.mt_doc_batchfigures", ct);
        return new RebuildOutcome(events, batches, facts, sums.Count, upTo, clock.Elapsed);
    }

    /// <summary>
    /// Where the rebuild stops. With this node's daemon running (writes may be in flight): the daemon's high-water mark, below
    /// which every sequence number is committed or known lost. Offline (the command refuses while the service is connected):
    /// the last stored event, and the mark is moved up to it. A mark left by a daemon that no longer runs is stale: a first
    /// version read it and rebuilt a 10M-event store only to its first million (the benchmark caught it).
    /// </summary>
    static async Task<long> UpToAsync(NpgsqlConnection connection, string schema, bool online, CancellationToken ct)
    {
        const string mark = "HighWaterMark";
        await using var command = new NpgsqlCommand(online
            ? $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = '{mark}'), 0)"
            : $"select coalesce(max(seq_id), 0) from {schema}.mt_events", connection);
        var upTo = (long)(await command.ExecuteScalarAsync(ct))!;
        if (!online)
            await Execute(connection, $"insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values ('{mark}', {upTo}, transaction_timestamp()) " +
                $"on conflict (name) do update set last_seq_id = greatest({schema}.mt_event_progression.last_seq_id, excluded.last_seq_id), last_updated = excluded.last_updated", ct);
        return upTo;
    }

    static async Task WriteNullableAsync(NpgsqlBinaryImporter rows, string? value, CancellationToken ct)
    {
        if (value is null) await rows.WriteNullAsync(ct);
        else await rows.WriteAsync(value, NpgsqlDbType.Text, ct);
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    readonly record struct Folded(BatchFigures Figures, long Version);
}
