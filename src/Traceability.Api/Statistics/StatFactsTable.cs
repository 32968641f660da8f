using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace Traceability.Statistics;

/// <summary>
/// The statistics facts as tables, kept by triggers on the projection's documents:
/// <list type="bullet">
/// <item><c>stat_facts</c>: one row per fact, with the moment it was recorded, so any <c>asOf</c> is answered exactly.</item>
/// <item><c>stat_monthly</c>: the facts summed per view, city, category, measure, month, origin month and destination city,
/// with the latest recording moment in each sum; stock and flows are summed per year too (month 'Y2025'), flows over all time
/// too (month 'T'). A query of a period reads these few rows; only when <c>asOf</c> is earlier
/// than a fact in them (reproducing a published figure) does it read the facts themselves.</item>
/// </list>
/// As the projection stores a batch's document, a trigger moves the facts it gained into both tables (facts are only
/// ever appended, numbered by the document's count) and leaves the document its state; deleting a document takes its
/// facts out of both; truncating the documents empties both. So the tables follow the projection wherever it runs
/// (the async daemon, a rebuild), in its own transaction.
/// Why not a Marten flat-table or event projection: a fact needs the batch's state (its holder's city, mass and origin
/// mix), which a stateless per-event projection cannot read, and side effects are not raised during a rebuild.
/// </summary>
public static class StatFactsTable
{
    public const string TableName = "stat_facts";
    public const string MonthlyName = "stat_monthly";

    /// <summary>Which layout <c>stat_monthly</c> is in (<see cref="StatisticsLayout"/>): a store written by an earlier one is resummed at start-up.</summary>
    public const string LayoutName = "stat_layout";

    /// <summary>The flows between cities: summed per city pair only.</summary>
    public static readonly string[] Flows = [Measures.Sent, Measures.Arrived, Measures.FlowReceived, Measures.WeighingDifference];

    public static readonly string FlowMeasures = SqlList(Flows);

    /// <summary>
    /// The measures whose balance at a period's end sums all history (stock held; sent less arrived, the mass on the road):
    /// summed per year too, under month 'Y2025', so that balance reads a row a year plus the months of the last year.
    /// </summary>
    public static readonly string[] Yearly = [Measures.Stock, .. Flows];

    public static readonly string YearlyMeasures = SqlList(Yearly);

    /// <summary>
    /// The month key of the flows summed over all time, per city pair: the mass on the road at the end of a recent period
    /// is that sum less the months and years after the period, a few rows whatever the length of the history.
    /// </summary>
    public const string AllTime = "T";

    /// <summary>
    /// The facts of <paramref name="source"/> under every key they are summed by: their month; stock and flows also their year
    /// ('Y2025'); flows also all time ('T'). The nation's copy is added by <see cref="ForCityAndNation"/>.
    /// </summary>
    public static string Keyed(string source) => $"""
        select view, city, month, category, measure, origin_month, to_city, kg, units, recorded_ms from {source}
        union all
        select view, city, 'Y' || left(month, 4), category, measure, origin_month, to_city, kg, units, recorded_ms from {source} where measure in {YearlyMeasures}
        union all
        select view, city, '{AllTime}', category, measure, origin_month, to_city, kg, units, recorded_ms from {source} where measure in {FlowMeasures}
        """;

    /// <summary>Each keyed row <c>k</c> for its city and, but for flows (which are per city pair), for the nation ('*').</summary>
    public static readonly string ForCityAndNation = $"cross join lateral (select k.city union all select '{Nation}' where k.measure not in {FlowMeasures}) c(city)";

    /// <summary>The city key of the nation's sums in <c>stat_monthly</c> (city codes are six digits).</summary>
    public const string Nation = "*";

    static string SqlList(IEnumerable<string> values) => "(" + string.Join(", ", values.Select(v => $"'{v}'")) + ")";

    public static IEnumerable<ISchemaObject> Objects(string schema)
    {
        var facts = new Table($"{schema}.{TableName}");
        facts.AddColumn<Guid>("batch_id").AsPrimaryKey();
        facts.AddColumn<int>("n").AsPrimaryKey();
        facts.AddColumn<string>("view").NotNull();
        facts.AddColumn<string>("month").NotNull();
        facts.AddColumn<string>("city").NotNull();
        facts.AddColumn<string>("category").NotNull();
        facts.AddColumn<string>("measure").NotNull();
        facts.AddColumn<string>("to_city");
        facts.AddColumn<string>("origin_month");
        facts.AddColumn<decimal>("kg").NotNull();
        facts.AddColumn<long>("units").NotNull();
        facts.AddColumn<long>("recorded_ms").NotNull();
        // The exact path (asOf before some fact of the period): a city's or the nation's rows for a range of months.
        facts.Indexes.Add(new IndexDefinition("ix_stat_facts_view_month_city") { Columns = ["view", "month", "city"] });
        yield return facts;

        var monthly = new Table($"{schema}.{MonthlyName}");
        foreach (var key in new[] { "view", "city", "month", "category", "measure", "origin_month", "to_city" }) monthly.AddColumn<string>(key).AsPrimaryKey();
        monthly.AddColumn<decimal>("kg").NotNull();
        monthly.AddColumn<long>("units").NotNull();
        monthly.AddColumn<long>("max_recorded_ms").NotNull();
        // The nation's months (the primary key serves a city's).
        monthly.Indexes.Add(new IndexDefinition("ix_stat_monthly_view_month") { Columns = ["view", "month"] });
        yield return monthly;

        var layout = new Table($"{schema}.{LayoutName}");
        layout.AddColumn<int>("version").AsPrimaryKey();
        yield return layout;

        const string columns = "view, city, month, category, measure, origin_month, to_city";
        // Before the document is written: its new facts become rows, numbered after the ones already moved, and are added to
        // their monthly sums; the document keeps only its state (a ledger that grew with every event made every write slower).
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_move() returns trigger language plpgsql as $body$
            declare
              moved bigint := coalesce((new.data ->> 'factCount')::bigint, 0) - coalesce(jsonb_array_length(new.data -> 'facts'), 0);
            begin
              with added as (
                insert into {{schema}}.{{TableName}} (batch_id, n, view, month, city, category, measure, to_city, origin_month, kg, units, recorded_ms)
                select new.id, moved + f.n, coalesce(f.x ->> 'view', 'site'), f.x ->> 'month', f.x ->> 'city', f.x ->> 'category', f.x ->> 'measure',
                       f.x ->> 'toCity', f.x ->> 'originMonth', (f.x ->> 'kg')::numeric, coalesce((f.x ->> 'units')::bigint, 0), (f.x ->> 'recordedMs')::bigint
                from jsonb_array_elements(coalesce(new.data -> 'facts', '[]'::jsonb)) with ordinality as f(x, n)
                on conflict (batch_id, n) do nothing
                returning view, city, month, category, measure, origin_month, to_city, kg, units, recorded_ms)
              insert into {{schema}}.{{MonthlyName}} ({{columns}}, kg, units, max_recorded_ms)
              select k.view, c.city, k.month, k.category, k.measure, coalesce(k.origin_month, ''), coalesce(k.to_city, ''), sum(k.kg), sum(k.units), max(k.recorded_ms)
              from ({{Keyed("added")}}) k
              {{ForCityAndNation}}
              group by 1, 2, 3, 4, 5, 6, 7
              on conflict ({{columns}}) do update set kg = {{MonthlyName}}.kg + excluded.kg, units = {{MonthlyName}}.units + excluded.units,
                max_recorded_ms = greatest({{MonthlyName}}.max_recorded_ms, excluded.max_recorded_ms);
              new.data := jsonb_set(new.data, '{facts}', '[]'::jsonb);
              return new;
            end
            $body$;
            """);
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_forget() returns trigger language plpgsql as $body$
            begin
              with gone as (delete from {{schema}}.{{TableName}} where batch_id = old.id
                            returning view, city, month, category, measure, origin_month, to_city, kg, units, recorded_ms),
                   sums as (select k.view, c.city, k.month, k.category, k.measure, coalesce(k.origin_month, '') as origin_month, coalesce(k.to_city, '') as to_city,
                                   sum(k.kg) as kg, sum(k.units) as units
                            from ({{Keyed("gone")}}) k {{ForCityAndNation}}
                            group by 1, 2, 3, 4, 5, 6, 7)
              update {{schema}}.{{MonthlyName}} m set kg = m.kg - s.kg, units = m.units - s.units
              from sums s where (m.view, m.city, m.month, m.category, m.measure, m.origin_month, m.to_city) = (s.view, s.city, s.month, s.category, s.measure, s.origin_month, s.to_city);
              return old;
            end
            $body$;
            """);
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.stat_facts_empty() returns trigger language plpgsql as $body$
            begin
              truncate {{schema}}.{{TableName}}, {{schema}}.{{MonthlyName}};
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
        yield return new Trigger($"{schema}.stat_facts_follow_truncate", $"{schema}.mt_doc_batchfigures", $"{schema}.stat_facts_empty()")
        {
            Timing = TriggerTiming.After, Events = TriggerEvents.Truncate, ForEachRow = false,
        };
    }
}

/// <summary>The tables, their functions and triggers as one schema feature, created after the projection's document table they hang on.</summary>
public sealed class StatFactsFeature(StoreOptions options) : FeatureSchemaBase(StatFactsTable.TableName, options.Advanced.Migrator)
{
    public override IEnumerable<Type> DependentTypes() => [typeof(BatchFigures)];

    protected override IEnumerable<ISchemaObject> schemaObjects() => StatFactsTable.Objects(options.DatabaseSchemaName);
}
