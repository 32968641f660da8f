using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace Traceability.Integrity;

/// <summary>
/// The hash chain every stored event is linked into, per stream, in the transaction that stores it.
/// <list type="bullet">
/// <item>The event's hash is SHA-256 of its canonical text: stream id, version, type, event id, recorded instant
/// (UTC, microseconds) and the stored JSON as PostgreSQL writes it (<c>jsonb::text</c>), joined by newlines.</item>
/// <item>Its chain hash is SHA-256 of the previous chain hash of the same stream (32 zero bytes before version 1)
/// followed by the event's hash.</item>
/// </list>
/// A trigger on Marten's event table computes both as each row is inserted, so nothing that stores an event can skip
/// it (batches, licences, alerts, integrity roots alike), streams do not wait for each other, and a stream's appends
/// are already serialised by Marten's version check. An edit of a stored event afterwards (an UPDATE) leaves the
/// chain as it was: the edited event no longer hashes to its link, which is what the proof and the verifier report.
/// </summary>
public static class EventChain
{
    public const string TableName = "event_chain";

    /// <summary>The canonical text's SQL, over the event table's row (alias <paramref name="e"/>); the verifier rebuilds it from the proof's fields.</summary>
    public static string CanonicalSql(string e) =>
        $"{e}.stream_id::text || E'\\n' || {e}.version::text || E'\\n' || {e}.type || E'\\n' || {e}.id::text || E'\\n' || " +
        $"to_char({e}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || E'\\n' || {e}.data::text";

    public static IEnumerable<ISchemaObject> Objects(string schema)
    {
        var chain = new Table($"{schema}.{TableName}");
        chain.AddColumn<Guid>("stream_id").AsPrimaryKey();
        chain.AddColumn<long>("version").AsPrimaryKey();
        chain.AddColumn<long>("seq_id").NotNull();
        chain.AddColumn("event_hash", "bytea").NotNull();
        chain.AddColumn("chain_hash", "bytea").NotNull();
        // No index beyond the key: the link reads its predecessor by (stream, version), sealing reads each stream's last key, and
        // every further index is another write on every append.
        yield return chain;

        yield return Function.ForSql($$"""
            create or replace function {{schema}}.event_chain_link() returns trigger language plpgsql as $body$
            declare
              event_hash bytea := sha256(convert_to({{CanonicalSql("new")}}, 'UTF8'));
              previous bytea;
            begin
              -- A stream's first event has no predecessor to read (most appends of a registration-heavy load).
              if new.version > 1 then
                select c.chain_hash into previous from {{schema}}.{{TableName}} c where c.stream_id = new.stream_id and c.version = new.version - 1;
              end if;
              insert into {{schema}}.{{TableName}} (stream_id, version, seq_id, event_hash, chain_hash)
              values (new.stream_id, new.version, new.seq_id, event_hash, sha256(coalesce(previous, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) || event_hash));
              return null;
            end
            $body$;
            """);
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.event_chain_empty() returns trigger language plpgsql as $body$
            begin
              truncate {{schema}}.{{TableName}}, {{schema}}.{{IntegrityRoots.LeavesTable}};
              return null;
            end
            $body$;
            """);
        yield return new Trigger($"{schema}.event_chain_link_rows", $"{schema}.mt_events", $"{schema}.event_chain_link()")
        {
            Timing = TriggerTiming.After, Events = TriggerEvents.Insert, ForEachRow = true,
        };
        yield return new Trigger($"{schema}.event_chain_follow_truncate", $"{schema}.mt_events", $"{schema}.event_chain_empty()")
        {
            Timing = TriggerTiming.After, Events = TriggerEvents.Truncate, ForEachRow = false,
        };
    }
}

/// <summary>The chain table, its trigger and the roots' leaves as one schema feature, created after Marten's event tables.</summary>
public sealed class EventChainFeature(StoreOptions options) : FeatureSchemaBase(EventChain.TableName, options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects() =>
        [IntegrityRoots.Leaves(options.DatabaseSchemaName), .. EventChain.Objects(options.DatabaseSchemaName)];
}
