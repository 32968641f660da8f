using System.Diagnostics;
using Marten;
using Traceability.Batches;
using Traceability.Provenance;

namespace Traceability.Benchmarks;

/// <summary>Origins from the deepest part and destinations from the source of a <see cref="DeepChain"/>, next to a state read in the same run.</summary>
public static class DeepBenchmark
{
    public static async Task<int> RunAsync(IDocumentStore store, int depth, int samples)
    {
        var build = Stopwatch.StartNew();
        var (source, deepest) = await DeepChain.BuildAsync(store, depth);
        Console.WriteLine($"built a chain of {depth} splits ({2 * depth + 1} batches) in {build.Elapsed.TotalSeconds:0.0} s");

        // The first walk right after the chain was written, before PostgreSQL has statistics on the new edges:
        // the case a hostile caller builds.
        var cold = Stopwatch.StartNew();
        await using (var q = store.QuerySession())
        {
            var root = (await q.LoadAsync<Batch>(deepest))!;
            _ = Attribution.Origins(root.Id, (await Lineage.AncestorsAsync(q, root, default)).Nodes);
        }
        Console.WriteLine($"first origins query after the build: {cold.Elapsed.TotalMilliseconds:0} ms");

        var state = await Timing.MeasureAsync("state read (baseline)", 200, async () =>
        {
            await using var q = store.QuerySession();
            _ = await q.LoadAsync<Batch>(deepest);
        });
        var results = new List<Timing>
        {
            await Timing.MeasureAsync($"origins of the part {depth} levels down", samples, async () =>
            {
                await using var q = store.QuerySession();
                var root = (await q.LoadAsync<Batch>(deepest))!;
                _ = Attribution.Origins(root.Id, (await Lineage.AncestorsAsync(q, root, default)).Nodes);
            }),
            await Timing.MeasureAsync($"destinations of the source, {depth} levels", samples, async () =>
            {
                await using var q = store.QuerySession();
                var root = (await q.LoadAsync<Batch>(source))!;
                _ = Attribution.Destinations(root.Id, (await Lineage.DescendantsAsync(q, root, default)).Nodes, _ => null);
            }),
        };
        Console.WriteLine();
        Console.WriteLine($"{"query",-44} {"median ms",10} {"p99 ms",9} {"median vs state read",22}");
        Console.WriteLine(state.Row(state));
        foreach (var result in results) Console.WriteLine(result.Row(state));
        return 0;
    }
}
