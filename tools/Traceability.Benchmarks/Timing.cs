using System.Diagnostics;
using System.Globalization;

namespace Traceability.Benchmarks;

/// <summary>Latencies of one query, measured after a warm-up, reported as median and 99th percentile.</summary>
public sealed record Timing(string Name, double MedianMs, double P99Ms)
{
    public static async Task<Timing> MeasureAsync(string name, int samples, Func<Task> query)
    {
        for (var i = 0; i < Math.Min(20, samples); i++) await query();
        var times = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return new Timing(name, times[times.Count / 2], times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)]);
    }

    public string Row(Timing baseline) => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-44} {MedianMs,10:0.00} {P99Ms,9:0.00} {MedianMs / baseline.MedianMs,21:0.0000}x");
}
