using System.Diagnostics;
using Marten;
using Npgsql;
using NodaTime;
using Traceability.Batches;
using Traceability.Benchmarks;
using Traceability;
using Traceability.Hosting;
using Traceability.Provenance;

// Two benchmarks, each against a baseline measured in the same run:
//   provenance [batches=10000] [samples=200]: lineage and attribution query latency vs a single-batch state read;
//   statistics [sizes=1000000,10000000] [seconds=60] [rate=600]: rebuild throughput, query latency at each size vs the query it
//     replaced, and projection lag under a sustained write load, vs the raw append rate;
//   deep [depth=10000] [samples=5]: origins and destinations across a chain of splits that deep, vs a state read;
//   epcis [events=10000] [writes=1000] [batches=10000]: capture, export and the hash chain's cost, vs the single-write rate;
//   ingest [clients=1,8,32] [seconds=20] [lines=100000]: single writes over HTTP and bulk ingest, vs Marten alone and COPY.
var mode = args.FirstOrDefault() ?? "provenance";
if (mode is not ("provenance" or "statistics" or "deep" or "epcis" or "ingest"))
{
    Console.Error.WriteLine("usage: provenance [batches] [samples] | statistics [sizes,comma-separated] [seconds] [rate] | deep [depth] [samples] | epcis [events] [writes] [batches] | ingest [clients,comma-separated] [seconds] [lines]");
    return 2;
}
var size = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 10_000;
var samples = args.Length > 2 && int.TryParse(args[2], out var s) ? s : mode switch { "deep" => 5, _ => 200 };

var root = Path.Combine(Path.GetTempPath(), $"traceability-bench-{Guid.NewGuid():N}");
var given = Environment.GetEnvironmentVariable("TRACEABILITY_BENCH_DB");
var server = given is null ? EmbeddedPostgres.Start(root, EmbeddedPostgres.FreePort(), throwaway: true) : null;
try
{
    var dataSource = new NpgsqlDataSourceBuilder(given ?? server!.ConnectionString).UseNodaTime().Build();
    using var store = DocumentStore.For(o =>
    {
        StoreSetup.Configure(o);
        o.Connection(dataSource);
    });
    await store.Advanced.Clean.CompletelyRemoveAllAsync();
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    if (mode == "statistics")
        return await StatisticsBenchmark.RunAsync(store, dataSource,
            [.. (args.Length > 1 ? args[1] : "1000000,10000000").Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture))],
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 60,
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 600);
    if (mode == "deep") return await DeepBenchmark.RunAsync(store, size, samples);
    if (mode == "epcis")
        return await EpcisBenchmark.RunAsync(store, dataSource, given ?? server!.ConnectionString, size,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000,
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10_000);

    if (mode == "ingest")
        return await IngestBenchmark.RunAsync(dataSource, given ?? server!.ConnectionString,
            [.. (args.Length > 1 ? args[1] : "1,8,32").Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture))],
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20,
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 100_000);

    var build = Stopwatch.StartNew();
    var graph = await LineageBuilder.BuildAsync(store, size, new Random(20261123));
    Console.WriteLine($"built a lineage of {graph.Batches.Count} batches ({graph.Sources.Count} generated, {graph.Splits} splits, {graph.Sortings} sortings, {graph.Merges} merges, depth up to {graph.MaxDepth}) in {build.Elapsed.TotalSeconds:0.0} s");

    var random = new Random(7);
    Guid Any() => graph.Batches[random.Next(graph.Batches.Count)];
    Guid Deep() => graph.Deepest[random.Next(graph.Deepest.Count)];
    Guid Source() => graph.Sources[random.Next(graph.Sources.Count)];

    var state = await Timing.MeasureAsync("state read (baseline)", samples, async () =>
    {
        await using var q = store.QuerySession();
        _ = await q.LoadAsync<Batch>(Any());
    });
    var results = new List<Timing>
    {
        await Timing.MeasureAsync("provenance both ways, depth 10, limit 500", samples, async () =>
        {
            await using var q = store.QuerySession();
            var rootBatch = (await q.LoadAsync<Batch>(Deep()))!;
            _ = await Lineage.WalkAsync(q, rootBatch, true, true, 10, 500, default);
        }),
        await Timing.MeasureAsync("origins (whole upstream)", samples, async () =>
        {
            await using var q = store.QuerySession();
            var rootBatch = (await q.LoadAsync<Batch>(Deep()))!;
            var lineage = await Lineage.AncestorsAsync(q, rootBatch, default);
            _ = Attribution.Origins(rootBatch.Id, lineage.Nodes);
        }),
        await Timing.MeasureAsync("destinations (whole downstream)", samples, async () =>
        {
            await using var q = store.QuerySession();
            var rootBatch = (await q.LoadAsync<Batch>(Source()))!;
            var lineage = await Lineage.DescendantsAsync(q, rootBatch, default);
            _ = Attribution.Destinations(rootBatch.Id, lineage.Nodes, _ => null);
        }),
    };

    Console.WriteLine();
    Console.WriteLine($"{"query",-44} {"median ms",10} {"p99 ms",9} {"median vs state read",22}");
    Console.WriteLine(state.Row(state));
    foreach (var result in results) Console.WriteLine(result.Row(state));
    return 0;
}
finally
{
    server?.Stop();
    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
}
