using Marten;
using NodaTime;
using Traceability.Batches;

namespace Traceability.Benchmarks;

/// <summary>
/// The pathological lineage a hostile enterprise can build with ordinary writes: a batch split in two again
/// and again, each time continuing on the first part, <c>depth</c> levels deep. Written as the service
/// writes it (the same events, streams and inline Batch projection).
/// </summary>
public static class DeepChain
{
    const string Holder = "91320200MA1AAAA01Y";
    const string City = "320200";

    /// <returns>The generated source and the deepest part.</returns>
    public static async Task<(Guid Source, Guid Deepest)> BuildAsync(IDocumentStore store, int depth)
    {
        var clock = Instant.FromUtc(2026, 1, 1, 0, 0);
        var source = Guid.CreateVersion7();
        var kg = 1_000_000m;
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<Batch>(source, new BatchGenerated(source, "waste-paper", new Mass(kg), null, null, Holder, City, null, clock));
            await session.SaveChangesAsync();
        }
        var current = source;
        for (var level = 0; level < depth;)
        {
            await using var session = store.LightweightSession();
            for (var op = 0; op < 200 && level < depth; op++, level++)
            {
                clock += Duration.FromSeconds(1);
                var kept = decimal.Round(kg * 0.999m, 3);
                var outputs = new List<Output>
                {
                    new(Guid.CreateVersion7(), "waste-paper", new Mass(kept), null, null),
                    new(Guid.CreateVersion7(), "waste-paper", new Mass(kg - kept), null, null),
                };
                session.Events.Append(current, new BatchSplit(current, Holder, City, new Mass(kg), outputs, clock));
                foreach (var o in outputs)
                    session.Events.StartStream<Batch>(o.BatchId, new BatchDerived(o.BatchId, Process.Splitting, o.Category, o.MassKg, null, null,
                        [new ParentShare(current, o.MassKg)], Holder, City, clock));
                current = outputs[0].BatchId;
                kg = kept;
            }
            await session.SaveChangesAsync();
        }
        return (source, current);
    }
}
