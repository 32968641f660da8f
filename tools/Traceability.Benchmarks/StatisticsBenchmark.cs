using System.Diagnostics;
using System.Globalization;
using JasperFx.Events.Daemon;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Batches;
using Traceability.ReferenceData;
using Traceability.Statistics;

namespace Traceability.Benchmarks;

/// <summary>
/// Appends generated batch histories (generation, dispatch, receipt, fate: four events a batch) as fast as
/// the store takes them, which is the baseline; rebuilds the statistics projection from those events; then
/// runs the daemon while writing at half the raw append rate and samples how far it lags.
/// </summary>
public static class StatisticsBenchmark
{
    static readonly string[] Cities = ["320200", "320700", "410100", "110100", "310100"];
    static readonly string[] Categories = ["waste-paper", "scrap-steel", "construction-spoil", "fly-ash", "waste-plastics"];
    const string Generator = "91320200MA1AAAA01Y";
    const string Receiver = "91320700MA1BBBB023";

    public static async Task<int> RunAsync(DocumentStore store, NpgsqlDataSource dataSource, int events, int seconds)
    {
        var random = new Random(11);
        var clock = Instant.FromUtc(2025, 1, 1, 0, 0);

        var append = Stopwatch.StartNew();
        var written = 0;
        while (written < events)
        {
            await using var session = store.LightweightSession();
            for (var i = 0; i < 250 && written < events; i++, written += 4) AppendHistory(session, random, ref clock);
            await session.SaveChangesAsync();
        }
        var appendRate = written / append.Elapsed.TotalSeconds;
        Console.WriteLine($"appended {written:N0} events in {append.Elapsed.TotalSeconds:0.0} s");

        using var daemon = await store.BuildProjectionDaemonAsync();
        var rebuild = Stopwatch.StartNew();
        await daemon.RebuildProjectionAsync("statistics", TimeSpan.FromMinutes(30), CancellationToken.None);
        var rebuildRate = written / rebuild.Elapsed.TotalSeconds;
        Console.WriteLine($"rebuilt the statistics projection in {rebuild.Elapsed.TotalSeconds:0.0} s");

        // Sustained load: half the raw append rate, for the given seconds, with the daemon running.
        await daemon.StartAllAsync();
        var target = appendRate / 2;
        var lags = new List<(long Events, double Seconds)>();
        var load = Stopwatch.StartNew();
        var loaded = 0;
        var nextSample = 1.0;
        while (load.Elapsed.TotalSeconds < seconds)
        {
            if (loaded < target * load.Elapsed.TotalSeconds)
            {
                await using var session = store.LightweightSession();
                for (var i = 0; i < 25; i++, loaded += 4) AppendHistory(session, random, ref clock);
                await session.SaveChangesAsync();
            }
            else await Task.Delay(5);
            if (load.Elapsed.TotalSeconds >= nextSample)
            {
                lags.Add(await LagAsync(dataSource));
                nextSample += 1;
            }
        }
        var drain = Stopwatch.StartNew();
        while ((await LagAsync(dataSource)).Events > 0 && drain.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(100);
        await daemon.StopAllAsync();
        var achieved = loaded / load.Elapsed.TotalSeconds;
        lags.Sort((a, b) => a.Events.CompareTo(b.Events));

        Console.WriteLine();
        Console.WriteLine($"{"figure",-52} {"value",14} {"vs raw append",14}");
        Row("raw append rate (baseline), events/s", appendRate, appendRate);
        Row("projection rebuild throughput, events/s", rebuildRate, appendRate);
        Row($"sustained write load for {seconds} s, events/s", achieved, appendRate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"lag under that load: median / max events",-52} {lags[lags.Count / 2].Events,6} / {lags[^1].Events,-6}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"lag under that load: median / max seconds",-52} {lags.Select(l => l.Seconds).Order().ElementAt(lags.Count / 2),6:0.00} / {lags.Max(l => l.Seconds),-6:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"drained the remaining lag after the load in",-52} {drain.Elapsed.TotalSeconds,6:0.00} s"));
        return 0;
    }

    static void Row(string name, double value, double baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-52} {value,14:N0} {value / baseline,13:0.00}x"));

    static void AppendHistory(IDocumentSession session, Random random, ref Instant clock)
    {
        clock += Duration.FromMinutes(random.Next(1, 30));
        var id = Guid.CreateVersion7();
        var manifest = Guid.CreateVersion7();
        var category = Categories[random.Next(Categories.Length)];
        var (from, to) = (Cities[random.Next(Cities.Length)], Cities[random.Next(Cities.Length)]);
        var kg = new Mass(random.Next(100, 10_000));
        session.Events.StartStream<Batch>(id,
            new BatchGenerated(id, category, kg, null, null, Generator, from, null, clock),
            new BatchDispatched(id, manifest, "TM", Generator, Receiver, to, kg, null, clock + Duration.FromHours(1)),
            new BatchReceived(id, manifest, Receiver, to, kg, clock + Duration.FromHours(3)),
            new FateRecorded(id, Guid.CreateVersion7(), Fate.Reuse, null, Receiver, to, kg, null, [], [], default, null, clock + Duration.FromHours(5)));
    }

    static async Task<(long Events, double Seconds)> LagAsync(NpgsqlDataSource dataSource)
    {
        var freshness = await new Figures(dataSource).FreshnessAsync(SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
        return (freshness.LagEvents, freshness.LagSeconds);
    }
}
