using Marten;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Provenance;

/// <summary>
/// The lineage graph as the inline Batch projection keeps it: every batch document lists its parents and
/// children with the mass that flowed along each edge, written in the same transaction as the event that
/// made the edge. A walk loads it one level at a time (one query per level).
/// </summary>
public sealed class Lineage
{
    public Dictionary<Guid, Batch> Nodes { get; } = [];
    public bool CutByDepth { get; private set; }
    public bool CutByNodes { get; private set; }

    /// <summary>Every ancestor of <paramref name="batch"/>, whatever the depth, as origins and the compliance rules need them.</summary>
    public static Task<Lineage> AncestorsAsync(IQuerySession session, Batch batch, CancellationToken ct) => WholeAsync(session, batch, upstream: true, ct);

    /// <summary>Every descendant of <paramref name="batch"/>, whatever the depth, as destinations need them.</summary>
    public static Task<Lineage> DescendantsAsync(IQuerySession session, Batch batch, CancellationToken ct) => WholeAsync(session, batch, upstream: false, ct);

    /// <summary>
    /// Two queries whatever the depth: the ids by one recursive query over the edge table, then their documents.
    /// A graph beyond <see cref="AttributionNodeLimit"/> is cut there and says so.
    /// </summary>
    static async Task<Lineage> WholeAsync(IQuerySession session, Batch root, bool upstream, CancellationToken ct)
    {
        var lineage = new Lineage();
        var ids = await LineageEdgesProjection.ReachableAsync(session, root.Id, upstream, AttributionNodeLimit + 1, ct);
        lineage.CutByNodes = ids.Count > AttributionNodeLimit;
        lineage.Nodes[root.Id] = root;
        foreach (var batch in await session.LoadManyAsync<Batch>(ct, [.. ids.Where(id => id != root.Id).Take(AttributionNodeLimit - 1)]))
            lineage.Nodes[batch.Id] = batch;
        return lineage;
    }

    /// <summary>
    /// Attribution follows the whole graph; this bounds a pathological one, so no caller's request loads more
    /// batches than this (a chain of 10,000 splits is 20,001). The answer says when it was cut.
    /// </summary>
    public const int AttributionNodeLimit = 50_000;

    public static async Task<Lineage> WalkAsync(IQuerySession session, Batch root, bool upstream, bool downstream, int depth, int nodeLimit, CancellationToken ct)
    {
        var lineage = new Lineage();
        lineage.Nodes[root.Id] = root;
        var frontier = new List<Batch> { root };
        for (var level = 0; frontier.Count > 0; level++)
        {
            var next = frontier
                .SelectMany(b => (upstream ? b.Parents.Select(p => p.BatchId) : []).Concat(downstream ? b.Children.Select(c => c.BatchId) : []))
                .Where(id => !lineage.Nodes.ContainsKey(id)).Distinct().ToList();
            if (next.Count == 0) break;
            if (level >= depth)
            {
                lineage.CutByDepth = true;
                break;
            }
            if (lineage.Nodes.Count + next.Count > nodeLimit)
            {
                lineage.CutByNodes = true;
                next = next.Take(nodeLimit - lineage.Nodes.Count).ToList();
            }
            var loaded = await session.LoadManyAsync<Batch>(ct, next);
            foreach (var batch in loaded) lineage.Nodes[batch.Id] = batch;
            if (lineage.CutByNodes) break;
            frontier = [.. loaded];
        }
        return lineage;
    }

    /// <summary>
    /// The graph as <paramref name="caller"/> may see it (<see cref="Visibility"/>): a batch it may not read keeps
    /// its id, category, masses, status and edges, but its enterprises and cities read <see cref="Visibility.Undisclosed"/>.
    /// Lineage, origins and destinations all read this, so what one hides none shows.
    /// </summary>
    public IReadOnlyDictionary<Guid, Batch> SeenBy(Caller caller) =>
        Nodes.ToDictionary(n => n.Key, n => Visibility.MayRead(caller, n.Value) ? n.Value : Redacted(n.Value));

    static Batch Redacted(Batch b) => b with
    {
        Generator = Visibility.Undisclosed,
        City = Visibility.Undisclosed,
        Holder = Visibility.Undisclosed,
        Custodians = [],
        Cities = [],
        ExternalRef = null,
        OpenManifest = b.OpenManifest is { } open ? open with { From = Visibility.Undisclosed, To = Visibility.Undisclosed, ToCity = Visibility.Undisclosed, VehiclePlate = null } : null,
        Fates = [.. b.Fates.Select(f => f with { By = Visibility.Undisclosed })],
    };
}

/// <summary>
/// Mass attribution, carried proportionally through every split, sorting, dismantling and merge: pure
/// functions over the loaded graph, so the figures are unit-testable and the same in every run.
/// </summary>
public static class Attribution
{
    /// <summary>
    /// For <paramref name="id"/>, the fraction of its mass that came from each source (generated) batch; fractions
    /// sum to 1. Its share is handed up the graph, children before parents, each batch dividing what it holds
    /// among its parents by the mass each gave: a loop, not a recursion, so no depth overflows the stack.
    /// </summary>
    public static IReadOnlyDictionary<Guid, decimal> Origins(Guid id, IReadOnlyDictionary<Guid, Batch> nodes)
    {
        var held = new Dictionary<Guid, decimal> { [id] = 1m };
        var sources = new Dictionary<Guid, decimal>();
        foreach (var batchId in ChildrenFirst(id, nodes))
        {
            if (!held.TryGetValue(batchId, out var share) || share == 0) continue;
            var batch = nodes[batchId];
            var parents = batch.Parents.Where(p => nodes.ContainsKey(p.BatchId)).ToList();
            var total = parents.Sum(p => p.MassKg.Kilograms);
            if (parents.Count == 0 || total == 0)
            {
                sources[batchId] = sources.GetValueOrDefault(batchId) + share;
                continue;
            }
            foreach (var parent in parents) held[parent.BatchId] = held.GetValueOrDefault(parent.BatchId) + share * parent.MassKg.Kilograms / total;
        }
        return sources;
    }

    /// <summary>The ancestors of <paramref name="root"/> in an order where each comes after all its children among them (Kahn).</summary>
    static IEnumerable<Guid> ChildrenFirst(Guid root, IReadOnlyDictionary<Guid, Batch> nodes)
    {
        var ancestors = new HashSet<Guid> { root };
        var toVisit = new Stack<Guid>([root]);
        while (toVisit.TryPop(out var id))
            foreach (var parent in nodes[id].Parents)
                if (nodes.ContainsKey(parent.BatchId) && ancestors.Add(parent.BatchId)) toVisit.Push(parent.BatchId);
        var waiting = ancestors.ToDictionary(id => id, id => nodes[id].Children.Select(c => c.BatchId).Distinct().Count(ancestors.Contains));
        waiting[root] = 0;
        var ready = new Queue<Guid>([root]);
        while (ready.TryDequeue(out var id))
        {
            yield return id;
            foreach (var parent in nodes[id].Parents.Select(p => p.BatchId).Distinct().Where(waiting.ContainsKey))
                if (--waiting[parent] == 0) ready.Enqueue(parent);
        }
    }

    /// <summary>Where a share of mass ended: a fate, still in the chain, or declared lost; and with whom.</summary>
    public sealed record Sink(string End, string Holder);

    /// <summary>
    /// For <paramref name="source"/>, the fraction of its mass that ended in each sink: the material-flow view of
    /// statistics.md. Upstream (<c>origins</c>) and downstream walk the same edges: intermediates that are still waste
    /// (sorted fractions, components, black mass out of recycling, a retired cascade-use product) are followed; the
    /// walk stops at a product (<c>secondary-material</c>), a product in service (<c>cascade-used</c>), a fate that ends
    /// the mass (reuse, remanufacture, cascade use, energy recovery, disposal), a declared loss, or what is still
    /// held (<c>in-chain</c>, <c>in-transit</c>). At every batch the mass it carries is divided over its outflows in
    /// proportion; differences weighed in transit are spread the same way. Fractions sum to 1.
    /// </summary>
    public static IReadOnlyDictionary<Sink, decimal> Destinations(Guid source, IReadOnlyDictionary<Guid, Batch> nodes, Func<string, Category?> categoryOf)
    {
        var sinks = new Dictionary<Sink, decimal>();
        var carried = new Dictionary<Guid, decimal> { [source] = 1m };
        void Sink(string end, string holder, decimal part) => sinks[new Sink(end, holder)] = sinks.GetValueOrDefault(new Sink(end, holder)) + part;
        foreach (var id in ParentsFirst(nodes))
        {
            if (!carried.TryGetValue(id, out var share) || share == 0) continue;
            var batch = nodes[id];
            var category = categoryOf(batch.Category);
            // A product is where the material flow ends: secondary material made, whatever is done with it next.
            if (id != source && category is { IsProduct: true })
            {
                Sink("secondary-material", batch.Generator, share);
                continue;
            }
            var outflows = new List<(Sink? Sink, Guid? Child, decimal Kg)>();
            foreach (var fate in batch.Fates)
            {
                // Recycling's outputs are children, followed like any other; what it lost is a declared loss.
                if (fate.Fate != Fate.Recycling) outflows.Add((new Sink(EnumNames.Of(fate.Fate), fate.By), null, (fate.MassKg - fate.LossesKg).Kilograms));
                if (fate.LossesKg.Kilograms > 0) outflows.Add((new Sink("declared-loss", fate.By), null, fate.LossesKg.Kilograms));
            }
            foreach (var child in batch.Children)
                outflows.Add((null, child.BatchId, child.MassKg.Kilograms));
            var transformationLosses = batch.LossesKg.Kilograms - batch.Fates.Sum(f => f.LossesKg.Kilograms);
            if (transformationLosses > 0) outflows.Add((new Sink("declared-loss", batch.Holder), null, transformationLosses));
            if (batch.RemainingKg.Kilograms > 0 || outflows.Count == 0)
            {
                var end = batch.OpenManifest is not null ? "in-transit" : category is { InService: true } ? "cascade-used" : "in-chain";
                outflows.Add((new Sink(end, batch.OpenManifest?.To ?? batch.Holder), null, Math.Max(batch.RemainingKg.Kilograms, 1m)));
            }

            var total = outflows.Sum(o => o.Kg);
            foreach (var (sink, child, kg) in outflows)
            {
                var part = share * kg / total;
                if (sink is not null) Sink(sink.End, sink.Holder, part);
                else if (nodes.ContainsKey(child!.Value)) carried[child.Value] = carried.GetValueOrDefault(child.Value) + part;
                else Sink("in-chain", batch.Holder, part);
            }
        }
        return sinks;
    }

    /// <summary>The batches in an order where each comes after all its parents in the graph (Kahn), so a batch is reached with all the mass flowing into it.</summary>
    static IEnumerable<Guid> ParentsFirst(IReadOnlyDictionary<Guid, Batch> nodes)
    {
        var waiting = nodes.Values.ToDictionary(b => b.Id, b => b.Parents.Count(p => nodes.ContainsKey(p.BatchId)));
        var ready = new Queue<Guid>(waiting.Where(w => w.Value == 0).Select(w => w.Key));
        while (ready.TryDequeue(out var id))
        {
            yield return id;
            foreach (var child in nodes[id].Children.Select(c => c.BatchId).Distinct().Where(waiting.ContainsKey))
                if (--waiting[child] == 0) ready.Enqueue(child);
        }
    }

    /// <summary>Fractions as percentages rounded to 4 places, the largest absorbing the rounding so they sum to exactly 100.</summary>
    public static Dictionary<TKey, decimal> Percentages<TKey>(IEnumerable<KeyValuePair<TKey, decimal>> fractions) where TKey : notnull
    {
        var percents = fractions.ToDictionary(f => f.Key, f => decimal.Round(f.Value * 100m, 4));
        if (percents.Count == 0) return percents;
        var largest = percents.MaxBy(p => p.Value).Key;
        percents[largest] += 100m - percents.Values.Sum();
        return percents;
    }
}
