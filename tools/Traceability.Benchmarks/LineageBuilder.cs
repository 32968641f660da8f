using Marten;
using NodaTime;
using Traceability.Batches;

namespace Traceability.Benchmarks;

/// <summary>
/// A generated lineage written as the service writes it (the same events, streams and inline Batch
/// projection): generated batches, then splits, sortings and merges of live batches until the graph has
/// the wanted number of batches. Seeded, so every run builds the same graph.
/// </summary>
public static class LineageBuilder
{
    public sealed record Graph(List<Guid> Batches, List<Guid> Sources, List<Guid> Deepest, int Splits, int Sortings, int Merges, int MaxDepth);

    sealed record Live(Guid Id, string Category, decimal Kg, int Depth);

    static readonly string[] Categories = ["scrap-steel", "waste-paper", "waste-plastics", "scrap-aluminium"];
    const string Holder = "91320200MA1AAAA01Y";
    const string City = "320200";

    public static async Task<Graph> BuildAsync(IDocumentStore store, int size, Random random)
    {
        var all = new List<Guid>();
        var sources = new List<Guid>();
        var live = new List<Live>();
        var clock = Instant.FromUtc(2026, 1, 1, 0, 0);
        var (splits, sortings, merges) = (0, 0, 0);
        var depthOf = new Dictionary<Guid, int>();

        var sourceCount = size / 4;
        await using (var session = store.LightweightSession())
        {
            for (var i = 0; i < sourceCount; i++)
            {
                var id = Guid.CreateVersion7();
                var category = Categories[random.Next(Categories.Length)];
                var kg = random.Next(500, 5000);
                session.Events.StartStream<Batch>(id, new BatchGenerated(id, category, new Mass(kg), null, null, Holder, City, null, clock));
                all.Add(id);
                sources.Add(id);
                live.Add(new Live(id, category, kg, 0));
                depthOf[id] = 0;
            }
            await session.SaveChangesAsync();
        }

        while (all.Count < size)
        {
            await using var session = store.LightweightSession();
            for (var op = 0; op < 100 && all.Count < size; op++)
            {
                clock += Duration.FromMinutes(1);
                var roll = random.NextDouble();
                if (roll < 0.35 && live.Count > 4)
                {
                    // Merge 2-4 live batches of one category into a lot.
                    var category = live[random.Next(live.Count)].Category;
                    var inputs = live.Where(l => l.Category == category).OrderBy(_ => random.Next()).Take(random.Next(2, 5)).ToList();
                    if (inputs.Count < 2) continue;
                    var lot = Guid.CreateVersion7();
                    var kg = inputs.Sum(i => i.Kg);
                    foreach (var input in inputs)
                    {
                        session.Events.Append(input.Id, new BatchMerged(input.Id, lot, category, Holder, City, new Mass(input.Kg), clock));
                        live.Remove(input);
                    }
                    session.Events.StartStream<Batch>(lot, new BatchDerived(lot, Process.Merging, category, new Mass(kg), null, null,
                        [.. inputs.Select(i => new ParentShare(i.Id, new Mass(i.Kg)))], Holder, City, clock));
                    Add(new Live(lot, category, kg, inputs.Max(i => i.Depth) + 1));
                    merges++;
                }
                else
                {
                    var parent = live[random.Next(live.Count)];
                    live.Remove(parent);
                    var sorting = roll > 0.8;
                    var parts = random.Next(2, 4);
                    var outputs = new List<Output>();
                    var left = parent.Kg;
                    for (var p = 0; p < parts; p++)
                    {
                        var kg = p == parts - 1 ? left : Math.Round(parent.Kg / parts, 3);
                        left -= kg;
                        var category = sorting ? Categories.Where(c => c != parent.Category).ElementAt(p % 3) : parent.Category;
                        outputs.Add(new Output(Guid.CreateVersion7(), category, new Mass(kg), null, null));
                    }
                    object parentEvent = sorting
                        ? new BatchSorted(parent.Id, Holder, City, new Mass(parent.Kg), outputs, [], clock)
                        : new BatchSplit(parent.Id, Holder, City, new Mass(parent.Kg), outputs, clock);
                    session.Events.Append(parent.Id, parentEvent);
                    foreach (var o in outputs)
                    {
                        session.Events.StartStream<Batch>(o.BatchId, new BatchDerived(o.BatchId, sorting ? Process.Sorting : Process.Splitting, o.Category, o.MassKg,
                            null, null, [new ParentShare(parent.Id, o.MassKg)], Holder, City, clock));
                        Add(new Live(o.BatchId, o.Category, o.MassKg.Kilograms, parent.Depth + 1));
                    }
                    if (sorting) sortings++; else splits++;
                }
            }
            await session.SaveChangesAsync();
        }

        var maxDepth = depthOf.Values.Max();
        var deepest = depthOf.Where(d => d.Value >= Math.Max(1, maxDepth - 2)).Select(d => d.Key).ToList();
        return new Graph(all, sources, deepest, splits, sortings, merges, maxDepth);

        void Add(Live batch)
        {
            all.Add(batch.Id);
            live.Add(batch);
            depthOf[batch.Id] = batch.Depth;
        }
    }
}
