using System.Diagnostics;
using System.Globalization;

namespace Traceability.Benchmarks;

/// <summary>
/// A closed-loop load: <c>clients</c> loops, each doing one operation after another for a while; the rate is
/// events per second, the latency is per operation, and the CPU is read twice: this process's (service and
/// clients together) and the whole machine's from /proc/stat (PostgreSQL included), each as milliseconds per event.
/// </summary>
public sealed record Load(string Name, int Clients, long Events, long Operations, double Seconds, double P50Ms, double P99Ms, double ProcessCpuMsPerEvent, double MachineCpuMsPerEvent)
{
    public double Rate => Events / Seconds;

    /// <summary><paramref name="operation"/> takes the client's index and its operation count, and answers the events it stored.</summary>
    public static async Task<Load> RunAsync(string name, int clients, TimeSpan duration, Func<int, long, Task<int>> operation)
    {
        var latencies = new List<double>[clients];
        var events = new long[clients];
        var machine = MachineBusyMs();
        var process = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            latencies[c] = [];
            for (long i = 0; watch.Elapsed < duration; i++)
            {
                var started = Stopwatch.GetTimestamp();
                events[c] += await operation(c, i);
                latencies[c].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        var seconds = watch.Elapsed.TotalSeconds;
        var processMs = (Process.GetCurrentProcess().TotalProcessorTime - process).TotalMilliseconds;
        var machineMs = MachineBusyMs() - machine;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var total = events.Sum();
        return new Load(name, clients, total, all.Count, seconds, Percentile(all, 0.5), Percentile(all, 0.99), processMs / total, machineMs / total);
    }

    static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * p) - 1)];

    /// <summary>Busy CPU time of the whole machine so far (every core), in milliseconds: user, nice, system, irq, softirq, steal.</summary>
    public static double MachineBusyMs()
    {
        if (!File.Exists("/proc/stat")) return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return busy * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    public static string Header => $"{"load",-52} {"clients",7} {"events/s",10} {"p50 ms",8} {"p99 ms",8} {"cpu ms/ev proc",15} {"cpu ms/ev host",15} {"vs baseline",12}";

    public string Row(Load? baseline) => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-52} {Clients,7} {Rate,10:0} {P50Ms,8:0.00} {P99Ms,8:0.00} {ProcessCpuMsPerEvent,15:0.000} {MachineCpuMsPerEvent,15:0.000} {(baseline is null ? "" : $"{Rate / baseline.Rate:0.00}x"),12}");
}
