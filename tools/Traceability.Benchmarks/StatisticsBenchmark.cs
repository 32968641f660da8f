using System.Diagnostics;
using System.Globalization;
using JasperFx.Events.Daemon;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Batches;
using Traceability.ReferenceData;
using Traceability.Statistics;
using Traceability.Statistics.Rebuilding;
using Period = Traceability.Statistics.Period;
using Process = Traceability.Batches.Process;

namespace Traceability.Benchmarks;

/// <summary>
/// The statistics at national scale. For each size asked (e.g. 1,000,000 then 10,000,000 events) it appends
/// generated chains until the store holds that many events (the raw append rate is the baseline), rebuilds the
/// statistics projection, and times every statistics query for a city-year and for the nation-year, next to
/// the query it replaced (the jsonb unnest of every batch's ledger) on the same store. Then it runs the daemon
/// under a sustained write load and samples the projection lag. The chains are a mix of what the product sees:
/// sortings into products and waste fractions with a landfill, splits recycled into pulp, batteries recycled twice
/// (black mass), merges burnt as fuel; across 20 cities, one simulated year per million events, so a city-year
/// holds about the same facts whatever the history.
/// </summary>
public static class StatisticsBenchmark
{
    static readonly string[] Cities =
    [
        "320200", "320700", "410100", "110000", "310000", "320100", "330100", "340100", "350900", "360700",
        "370100", "420100", "420800", "430100", "440100", "440300", "500000", "510100", "511500", "610100",
    ];
    const string Generator = "91320200MA1AAAA01Y";
    const string Receiver = "91320700MA1BBBB023";

    public static async Task<int> RunAsync(DocumentStore store, NpgsqlDataSource dataSource, IReadOnlyList<int> sizes, int seconds, int loadRate)
    {
        var random = new Random(11);
        var clock = Instant.FromUtc(2016, 1, 1, 0, 0);
        var written = 0L;
        var figures = new Figures(dataSource);
        using var daemon = await store.BuildProjectionDaemonAsync();
        Console.WriteLine($"{"figure",-64} {"value",14} {"vs baseline",12}");
        foreach (var size in sizes)
        {
            var append = Stopwatch.StartNew();
            var before = written;
            while (written < size)
            {
                await using var session = store.LightweightSession();
                for (var i = 0; i < 100 && written < size; i++) written += AppendChain(session, random, ref clock);
                await session.SaveChangesAsync();
            }
            var appendRate = (written - before) / append.Elapsed.TotalSeconds;
            Row($"[{written:N0} events] raw append rate (baseline), events/s", appendRate, appendRate);

            // Before: Marten's own rebuild (the daemon, a document and its trigger at a time), at the first size only; it would take
            // about an hour at 10M. Then the bulk rebuild, whose tables the queries below read.
            if (size == sizes[0])
            {
                var rebuild = Stopwatch.StartNew();
                await daemon.RebuildProjectionAsync("statistics", TimeSpan.FromHours(2), CancellationToken.None);
                Row($"[{written:N0} events] before: Marten's rebuild (the daemon), events/s", written / rebuild.Elapsed.TotalSeconds, appendRate);
            }
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var bulk = await StatisticsRebuild.RunAsync(store, dataSource, null, CancellationToken.None);
            cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Row($"[{written:N0} events] bulk rebuild, events/s", bulk.EventsPerSecond, appendRate);
            Console.WriteLine($"[{written:N0} events] bulk rebuild up to event {bulk.UpTo:N0}: {bulk.Events:N0} batch events of {bulk.Batches:N0} batches, {bulk.Facts:N0} facts, {bulk.Sums:N0} sums, {bulk.Elapsed.TotalSeconds:0.0} s, of which {cpu.TotalSeconds:0.0} CPU-seconds in this process; process peak working set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576:N0} MiB");
            await using (var analyze = dataSource.CreateCommand("analyze traceability.stat_facts; analyze traceability.mt_doc_batchfigures")) await analyze.ExecuteNonQueryAsync();
            await using (var count = dataSource.CreateCommand("select count(*) from traceability.stat_facts"))
                Console.WriteLine($"[{written:N0} events] facts: {(long)(await count.ExecuteScalarAsync())!:N0} rows; history up to {clock}");

            // The last full simulated year, as known now.
            var year = Period.Parse((clock - Duration.FromDays(180)).InUtc().Year.ToString(CultureInfo.InvariantCulture))!;
            var now = SystemClock.Instance.GetCurrentInstant();
            var city = "320700";
            var first = size == sizes[0];
            // The ledgers as documents held them before the fact table (one jsonb array of facts a batch), for the query that read them.
            if (first)
            await using (var ledgers = dataSource.CreateCommand("""
                drop table if exists bench_ledgers;
                create table bench_ledgers as select batch_id as id, jsonb_build_object('facts', jsonb_agg(jsonb_build_object('month', month, 'city', city,
                  'category', category, 'measure', measure, 'kg', kg, 'view', view) order by n)) as data from traceability.stat_facts group by batch_id;
                analyze bench_ledgers;
                """)) { ledgers.CommandTimeout = 0; await ledgers.ExecuteNonQueryAsync(); }
            var unnest = first
                ? await Timing.MeasureAsync("before: jsonb unnest of every ledger, city-year", 20, () => UnnestAsync(dataSource, year, city))
                : await Timing.MeasureAsync("exact path (asOf before the last fact), city-year", 20, () => figures.TotalsAsync(year, Instant.FromUnixTimeMilliseconds(1), city, null, default));
            var rows = new List<Timing>
            {
                await Timing.MeasureAsync("city figures, city-year", 50, () => figures.TotalsAsync(year, now, city, null, default)),
                await Timing.MeasureAsync("city figures, nation-year", 50, () => figures.TotalsAsync(year, now, null, null, default)),
                await Timing.MeasureAsync("indicators (this year and a year earlier), city-year", 50, async () =>
                {
                    await figures.TotalsAsync(year, now, city, null, default);
                    await figures.TotalsAsync(year.YearEarlier()!, now, city, null, default);
                }),
                await Timing.MeasureAsync("indicators (this year and a year earlier), nation-year", 50, async () =>
                {
                    await figures.TotalsAsync(year, now, null, null, default);
                    await figures.TotalsAsync(year.YearEarlier()!, now, null, null, default);
                }),
                // Before the all-time sums: the mass on the road read forward from a year sum a year of history.
                await Timing.MeasureAsync("before: flows read forward from year sums, nation-year", 50, () => figures.FlowsReadForwardAsync(year, now, null, default)),
                await Timing.MeasureAsync("flows, nation-year", 50, () => figures.FlowsAsync(year, now, null, default)),
            };
            Console.WriteLine($"[{written:N0} events] query for {year.Name}                         median ms    p99 ms   median vs before");
            Console.WriteLine(unnest.Row(unnest));
            foreach (var row in rows) Console.WriteLine(row.Row(unnest));
        }

        // Sustained load with the daemon running: samples of the lag once a second.
        await daemon.StartAllAsync();
        var lags = new List<double>();
        var load = Stopwatch.StartNew();
        var loaded = 0L;
        var nextSample = 1.0;
        while (load.Elapsed.TotalSeconds < seconds)
        {
            if (loaded < loadRate * load.Elapsed.TotalSeconds)
            {
                await using var session = store.LightweightSession();
                loaded += AppendChain(session, random, ref clock);
                await session.SaveChangesAsync();
            }
            else await Task.Delay(2);
            if (load.Elapsed.TotalSeconds >= nextSample)
            {
                lags.Add((await figures.FreshnessAsync(SystemClock.Instance.GetCurrentInstant(), default)).LagSeconds);
                nextSample += 1;
            }
        }
        await daemon.StopAllAsync();
        lags.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sustained load {loaded / load.Elapsed.TotalSeconds:0} events/s for {seconds} s: lag median {lags[lags.Count / 2]:0.00} s, p99 {lags[(int)Math.Min(lags.Count - 1, Math.Ceiling(lags.Count * 0.99) - 1)]:0.00} s, max {lags[^1]:0.00} s"));
        return 0;
    }

    static void Row(string name, double value, double baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-64} {value,14:N0} {value / baseline,11:0.00}x"));

    /// <summary>The query the statistics made before the fact table: every fact of every batch unnested from its ledger document.</summary>
    static async Task UnnestAsync(NpgsqlDataSource dataSource, Period year, string city)
    {
        await using var command = dataSource.CreateCommand("""
            select f ->> 'category', f ->> 'measure', sum((f ->> 'kg')::numeric)
            from bench_ledgers d cross join lateral jsonb_array_elements(d.data -> 'facts') f
            where f ->> 'month' between $1 and $2 and f ->> 'city' = $3 group by 1, 2
            """);
        command.Parameters.AddWithValue(year.FromMonth);
        command.Parameters.AddWithValue(year.ToMonth);
        command.Parameters.AddWithValue(city);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }

    /// <summary>Appends one chain, as the decisions would have written it (origin mixes included); returns the events written.</summary>
    static int AppendChain(IDocumentSession session, Random random, ref Instant clock)
    {
        clock += Duration.FromMinutes(random.Next(1, 8));
        var at = clock;
        var from = Cities[random.Next(Cities.Length)];
        var to = random.Next(4) == 0 ? Cities[random.Next(Cities.Length)] : from;
        return random.Next(4) switch
        {
            0 => Sorting(session, random, from, to, at),
            1 => Pulp(session, random, from, to, at),
            2 => Battery(session, random, from, to, at),
            _ => FuelLot(session, random, from, at),
        };
    }

    static Batch Generated(IDocumentSession session, string category, decimal kg, string city, Instant at, Guid? id = null)
    {
        var batchId = id ?? Guid.CreateVersion7();
        var generated = new BatchGenerated(batchId, category, new Mass(kg), null, null, Generator, city, null, at);
        session.Events.StartStream<Batch>(batchId, generated);
        return Batch.Create(generated);
    }

    /// <summary>Dispatch and receipt: 2 events.</summary>
    static void Move(IDocumentSession session, Batch batch, string from, string to, decimal kg, Instant at)
    {
        var manifest = Guid.CreateVersion7();
        session.Events.Append(batch.Id,
            new BatchDispatched(batch.Id, manifest, "TM", Generator, Receiver, to, new Mass(kg), null, at + Duration.FromHours(1), from),
            new BatchReceived(batch.Id, manifest, Receiver, to, new Mass(kg), at + Duration.FromHours(3)));
    }

    static BatchDerived Child(Batch parent, Process process, string category, decimal kg, string city, Instant at, bool utilized) =>
        new(Guid.CreateVersion7(), process, category, new Mass(kg), null, null, [new ParentShare(parent.Id, new Mass(kg))], Receiver, city, at,
            Origins: utilized ? OriginMix.Utilized(parent.Origins) : parent.Origins);

    /// <summary>Decoration waste sorted into recycled aggregate (a product), scrap steel and debris landfilled: 8 events.</summary>
    static int Sorting(IDocumentSession session, Random random, string from, string to, Instant at)
    {
        var kg = random.Next(5_000, 20_000);
        var batch = Generated(session, "decoration-waste", kg, from, at);
        Move(session, batch, from, to, kg, at);
        var t = at + Duration.FromHours(6);
        var (aggregate, steel, debris) = (kg * 0.7m, kg * 0.1m, kg * 0.19m);
        var outputs = new[] { Child(batch, Process.Sorting, "recycled-aggregate", aggregate, to, t, true), Child(batch, Process.Sorting, "scrap-steel", steel, to, t, false),
            Child(batch, Process.Sorting, "construction-debris", debris, to, t, false) };
        session.Events.Append(batch.Id, new BatchSorted(batch.Id, Receiver, to, new Mass(kg),
            [.. outputs.Select(o => new Output(o.BatchId, o.Category, o.MassKg, null, null))], [new Loss(LossKind.Moisture, new Mass(kg * 0.01m), "dried")], t));
        foreach (var o in outputs) session.Events.StartStream<Batch>(o.BatchId, o);
        session.Events.Append(outputs[2].BatchId, new FateRecorded(outputs[2].BatchId, Guid.CreateVersion7(), Fate.Disposal, DisposalMethod.Landfill, Receiver, to,
            outputs[2].MassKg, null, [], [], default, null, t + Duration.FromHours(2), "D1"));
        return 8;
    }

    /// <summary>Waste paper split in two, each part recycled into pulp: 10 events.</summary>
    static int Pulp(IDocumentSession session, Random random, string from, string to, Instant at)
    {
        var kg = random.Next(500, 5_000);
        var batch = Generated(session, "waste-paper", kg, from, at);
        Move(session, batch, from, to, kg, at);
        var t = at + Duration.FromHours(5);
        var parts = new[] { Child(batch, Process.Splitting, "waste-paper", kg / 2m, to, t, false), Child(batch, Process.Splitting, "waste-paper", kg / 2m, to, t, false) };
        session.Events.Append(batch.Id, new BatchSplit(batch.Id, Receiver, to, new Mass(kg), [.. parts.Select(p => new Output(p.BatchId, p.Category, p.MassKg, null, null))], t));
        foreach (var part in parts)
        {
            session.Events.StartStream<Batch>(part.BatchId, part);
            Recycled(session, Batch.Create(part), "recycled-pulp", 0.9m, to, t + Duration.FromHours(2));
        }
        return 10;
    }

    /// <summary>A battery pack recycled into black mass, the black mass recycled again into lithium carbonate: 7 events.</summary>
    static int Battery(IDocumentSession session, Random random, string from, string to, Instant at)
    {
        var kg = random.Next(200, 600);
        var pack = Generated(session, "power-battery", kg, from, at);
        Move(session, pack, from, to, kg, at);
        var t = at + Duration.FromHours(8);
        var blackMass = Recycled(session, pack, "black-mass", 0.6m, to, t);
        Recycled(session, Batch.Create(blackMass), "lithium-carbonate", 0.2m, to, t + Duration.FromHours(4));
        return 7;
    }

    /// <summary>All of <paramref name="batch"/> recycled into one output (<paramref name="yield"/> of its mass) and a declared loss: the fate and the output, 2 events.</summary>
    static BatchDerived Recycled(IDocumentSession session, Batch batch, string category, decimal yield, string city, Instant at)
    {
        var output = Child(batch, Process.Recycling, category, batch.MassKg.Kilograms * yield, city, at, true);
        session.Events.Append(batch.Id, new FateRecorded(batch.Id, Guid.CreateVersion7(), Fate.Recycling, null, Receiver, city, batch.MassKg, null,
            [new Output(output.BatchId, output.Category, output.MassKg, null, null)], [new Loss(LossKind.Process, new Mass(batch.MassKg.Kilograms * (1 - yield)), "process")],
            default, null, at));
        session.Events.StartStream<Batch>(output.BatchId, output);
        return output;
    }

    /// <summary>Two fly-ash batches merged into a lot burnt as a fuel (R1): 6 events.</summary>
    static int FuelLot(IDocumentSession session, Random random, string city, Instant at)
    {
        var (a, b) = (Generated(session, "fly-ash", random.Next(1_000, 9_000), city, at), Generated(session, "fly-ash", random.Next(1_000, 9_000), city, at));
        var t = at + Duration.FromHours(2);
        var lotId = Guid.CreateVersion7();
        var mass = a.MassKg + b.MassKg;
        session.Events.Append(a.Id, new BatchMerged(a.Id, lotId, "fly-ash", Generator, city, a.MassKg, t));
        session.Events.Append(b.Id, new BatchMerged(b.Id, lotId, "fly-ash", Generator, city, b.MassKg, t));
        session.Events.StartStream<Batch>(lotId, new BatchDerived(lotId, Process.Merging, "fly-ash", mass, null, null,
            [new ParentShare(a.Id, a.MassKg), new ParentShare(b.Id, b.MassKg)], Generator, city, t,
            Origins: OriginMix.Combine([(a.Origins, a.MassKg.Kilograms), (b.Origins, b.MassKg.Kilograms)], utilized: false)));
        session.Events.Append(lotId, new FateRecorded(lotId, Guid.CreateVersion7(), Fate.EnergyRecovery, null, Generator, city, mass, null, [], [], default, null,
            t + Duration.FromHours(3), "R1"));
        return 6;
    }
}
