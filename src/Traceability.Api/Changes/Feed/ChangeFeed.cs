using System.Text;
using System.Text.Json;
using Npgsql;
using Traceability.Access;

namespace Traceability.Changes.Feed;

/// <summary>One stored batch event as the feed gives it; <see cref="Cursor"/> resumes right after it.</summary>
public sealed record FeedEvent(string Cursor, Guid BatchId, long Version, string Type, DateTimeOffset RecordedAt, JsonElement Data);

/// <summary>A page of the feed; <see cref="Cursor"/> is where the next read starts, whether or not the page had events.</summary>
public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, string Cursor);

/// <summary>
/// The batch events a party may see, in the order they were stored, read after a cursor (the event's global sequence
/// number: the same after a restart, and on every node). Only events up to Marten's high-water mark are read, the point
/// below which every sequence number is either committed or known lost, so a transaction committing late never slips
/// in behind a cursor already handed out. Visibility is the one rule (<see cref="Visibility"/>), applied in the SQL to
/// the batch as it stands: an addressee sees a dispatch to it, a custodian the batch's events from then on.
/// </summary>
public sealed class ChangeFeed(NpgsqlDataSource dataSource, Marten.IDocumentStore store)
{
    /// <summary>How many sequence numbers one read scans at most: a party that sees little of a busy log still gets an answer (and a cursor further on) at once.</summary>
    public const long ScanWindow = 50_000;

    public const int MaxLimit = 1000;

    string Schema => store.Options.Events.DatabaseSchemaName;

    public async Task<long> HighWaterAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select coalesce((select last_seq_id from {Schema}.mt_event_progression where name = 'HighWaterMark'), 0)");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task<FeedPage> ReadAsync(Visibility.Scope scope, long after, int limit, CancellationToken ct)
    {
        var high = await HighWaterAsync(ct);
        var until = Math.Min(high, after + ScanWindow);
        if (scope.Nothing || until <= after) return new FeedPage([], after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var sql = new StringBuilder(
            $"select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.data::text from {Schema}.mt_events e join {Schema}.mt_doc_batch b on b.id = e.stream_id " +
            "where e.seq_id > $1 and e.seq_id <= $2");
        var args = new List<object> { after, until };
        Visibility.AppendSql(sql, args, scope, "b");
        args.Add(limit);
        sql.Append(" order by e.seq_id limit $").Append(args.Count);
        await using var command = dataSource.CreateCommand(sql.ToString());
        foreach (var arg in args) command.Parameters.AddWithValue(arg);
        var events = new List<FeedEvent>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                using var data = JsonDocument.Parse(reader.GetString(5));
                events.Add(new FeedEvent(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), reader.GetGuid(1), reader.GetInt64(2),
                    reader.GetString(3), reader.GetFieldValue<NodaTime.Instant>(4).ToDateTimeOffset(), data.RootElement.Clone()));
            }
        // A full page ends at its last event; a short one has read everything up to the bound.
        var cursor = events.Count == limit ? events[^1].Cursor : until.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new FeedPage(events, cursor);
    }
}
