using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace Traceability.Statistics;

/// <summary>
/// The statistics facts as a flat, indexed table, one row per fact, so a query reads the rows of its view, city and
/// months through an index instead of unnesting every batch's ledger. The rows are the ledger's facts: as the
/// projection stores a batch's document, a trigger moves the facts it gained into the table (facts are only ever
/// appended, numbered by the document's count); deleting a document deletes its rows, truncating the documents
/// empties the table. So the table follows the projection wherever it runs (inline, the async daemon, a rebuild),
/// in the projection's own transaction.
/// Why not a Marten flat-table or event projection: a fact needs the batch's state (its holder's city, mass and origin
/// mix), which a stateless per-event projection cannot read, and side effects are not raised during a rebuild.
/// </summary>
public static class StatFactsTable
{
    public const string TableName = "stat_facts";

    public static IEnumerable<ISchemaObject> Objects(string schema)
    {
        var table = new Table($"{schema}.{TableName}");
        table.AddColumn<Guid>("batch_id").AsPrimaryKey();
        table.AddColumn<int>("n").AsPrimaryKey();
        table.AddColumn<string>("view").NotNull();
        table.AddColumn<string>("month").NotNull();
        table.AddColumn<string>("city").NotNull();
        table.AddColumn<string>("category").NotNull();
        table.AddColumn<string>("measure").NotNull();
        table.AddColumn<string>("to_city");
        table.AddColumn<string>("origin_month");
        table.AddColumn<decimal>("kg").NotNull();
        table.AddColumn<long>("units").NotNull();
        table.AddColumn<long>("recorded_ms").NotNull();
        // A city's figures, and the nation's (every city), for a range of months.
        table.Indexes.Add(new IndexDefinition("ix_stat_facts_view_city_month") { Columns = ["view", "city", "month"] });
        table.Indexes.Add(new IndexDefinition("ix_stat_facts_view_month") { Columns = ["view", "month"] });
        yield return table;

        // Before the document is written: its new facts become rows, numbered after the ones already moved, and the
        // document keeps only its state (a ledger that grew with every event made each write, and a rebuild, slower).
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_move() returns trigger language plpgsql as $body$
            declare
              moved bigint := coalesce((new.data ->> 'factCount')::bigint, 0) - coalesce(jsonb_array_length(new.data -> 'facts'), 0);
            begin
              insert into {{schema}}.{{TableName}} (batch_id, n, view, month, city, category, measure, to_city, origin_month, kg, units, recorded_ms)
              select new.id, moved + f.n, coalesce(f.x ->> 'view', 'site'), f.x ->> 'month', f.x ->> 'city', f.x ->> 'category', f.x ->> 'measure',
                     f.x ->> 'toCity', f.x ->> 'originMonth', (f.x ->> 'kg')::numeric, coalesce((f.x ->> 'units')::bigint, 0), (f.x ->> 'recordedMs')::bigint
              from jsonb_array_elements(coalesce(new.data -> 'facts', '[]'::jsonb)) with ordinality as f(x, n)
              on conflict (batch_id, n) do nothing;
              new.data := jsonb_set(new.data, '{facts}', '[]'::jsonb);
              return new;
            end
            $body$;
            """);
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_forget() returns trigger language plpgsql as $body$
            begin
              delete from {{schema}}.{{TableName}} where batch_id = old.id;
              return old;
            end
            $body$;
            """);
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_empty() returns trigger language plpgsql as $body$
            begin
              truncate {{schema}}.{{TableName}};
              return null;
            end
            $body$;
            """);
        yield return new Trigger($"{schema}.stat_facts_move_rows", $"{schema}.mt_doc_batchfigures", $"{schema}.stat_facts_move()")
        {
            Timing = TriggerTiming.Before, Events = TriggerEvents.Insert | TriggerEvents.Update, ForEachRow = true,
        };
        yield return new Trigger($"{schema}.stat_facts_forget_rows", $"{schema}.mt_doc_batchfigures", $"{schema}.stat_facts_forget()")
        {
            Timing = TriggerTiming.After, Events = TriggerEvents.Delete, ForEachRow = true,
        };
        yield return new Trigger($"{schema}.stat_facts_follow_truncate", $"{schema}.mt_doc_batchfigures",
            $"{schema}.stat_facts_empty()")
        {
            Timing = TriggerTiming.After, Events = TriggerEvents.Truncate, ForEachRow = false,
        };
    }
}

/// <summary>The table, its functions and triggers as one schema feature, created after the projection's document table it hangs on.</summary>
public sealed class StatFactsFeature(StoreOptions options) : FeatureSchemaBase(StatFactsTable.TableName, options.Advanced.Migrator)
{
    public override IEnumerable<Type> DependentTypes() => [typeof(BatchFigures)];

    protected override IEnumerable<ISchemaObject> schemaObjects() => StatFactsTable.Objects(options.DatabaseSchemaName);
}
