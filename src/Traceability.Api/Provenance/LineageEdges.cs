using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Traceability.Batches;
using Traceability.Hosting;
using Weasel.Postgresql.Tables;

namespace Traceability.Provenance;

/// <summary>
/// The lineage graph as a table of its own, one row per edge (parent, child, the mass that flowed and the
/// process), written inline from each new batch's first event, so a walk of any depth is one recursive
/// query in the database instead of one round trip per level.
/// </summary>
public sealed partial class LineageEdgesProjection : EventProjection
{
    public const string TableName = "lineage_edges";

    readonly string _table;

    public LineageEdgesProjection(string schema)
    {
        Name = "lineage-edges";
        _table = $"{schema}.{TableName}";
        var table = new Table(_table);
        table.AddColumn<Guid>("parent").AsPrimaryKey();
        table.AddColumn<Guid>("child").AsPrimaryKey();
        table.AddColumn<decimal>("mass_kg").NotNull();
        table.AddColumn<string>("process").NotNull();
        // Ancestors are found from the child; the primary key serves descendants.
        table.Indexes.Add(new IndexDefinition("ix_lineage_edges_child_parent") { Columns = ["child", "parent"] });
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(_table);
    }

    /// <summary>Every edge is named by the child's first event, whatever made it (sorting, dismantling, split, merge, recycling).</summary>
    public void Project(IEvent<BatchDerived> e, IDocumentOperations ops)
    {
        foreach (var parent in e.Data.Parents)
            ops.QueueSqlCommand($"insert into {_table} (parent, child, mass_kg, process) values (?, ?, ?, ?) on conflict do nothing",
                parent.BatchId, e.Data.BatchId, parent.MassKg.Kilograms, EnumNames.Of(e.Data.Process));
    }

    /// <summary>
    /// The ids of <paramref name="root"/> and every batch reachable from it along the edges (upstream: parents;
    /// downstream: children), at most <paramref name="limit"/>. UNION keeps each batch once, so a graph of merges
    /// terminates and costs one row per batch.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ReachableAsync(IQuerySession session, Guid root, bool upstream, int limit, CancellationToken ct)
    {
        var (from, to) = upstream ? ("parent", "child") : ("child", "parent");
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        return await session.AdvancedSql.QueryAsync<Guid>(
            // The step is a correlated subquery, so each batch reached is one index lookup whatever the planner
            // knows of the table: a join here may be planned as a scan of every edge per level (13.9 s at depth
            // 10,000 before the table had statistics, tools/README.md).
            $"with recursive reached(id) as (select ?::uuid union select unnest(array(select e.{from} from {table} e where e.{to} = r.id)) from reached r) select id from reached limit ?",
            ct, root, limit);
    }
}
