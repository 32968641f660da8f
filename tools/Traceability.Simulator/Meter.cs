using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Traceability.Simulator;

/// <summary>The pace (a shared budget of events per second) and the tally: stored events, refusals by reason, latencies, the service's memory.</summary>
public sealed class Meter(int rate)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly ConcurrentDictionary<string, int> _refusals = new();
    readonly ConcurrentQueue<double> _latencies = new();
    long _sent, _stored;
    readonly Lock _gate = new();

    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Waits until the next request is due at the chosen rate (every request stores about one event).</summary>
    public async Task WaitTurnAsync()
    {
        if (rate <= 0) return;
        TimeSpan due;
        lock (_gate) due = TimeSpan.FromSeconds(_sent++ / (double)rate) - _clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due);
    }

    public void Answered(string path, int status, string body, TimeSpan latency)
    {
        _latencies.Enqueue(latency.TotalMilliseconds);
        if (status < 300)
        {
            Interlocked.Increment(ref _stored);
            return;
        }
        var detail = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var problem = doc.RootElement.TryGetProperty("problem", out var p) ? p : doc.RootElement;
            detail = problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            detail = body.Length > 80 ? body[..80] : body;
        }
        var route = System.Text.RegularExpressions.Regex.Replace(path, "[0-9a-f]{8}-[0-9a-f-]{27}", "{id}");
        _refusals.AddOrUpdate($"{status} {route}: {(detail.Length > 120 ? detail[..120] : detail)}", 1, (_, n) => n + 1);
    }

    public string Report(TimeSpan elapsed, LatencyProbe? probe, int? pid)
    {
        var latencies = _latencies.ToArray().Order().ToArray();
        var c = CultureInfo.InvariantCulture;
        var line = string.Create(c, $"[{elapsed.TotalSeconds,6:0}s] stored {Stored,9} events ({Stored / Math.Max(1, elapsed.TotalSeconds),6:0}/s), refused {_refusals.Values.Sum(),6}");
        if (latencies.Length > 0) line += string.Create(c, $", request p50 {latencies[latencies.Length / 2]:0.0} ms p99 {latencies[(int)(latencies.Length * 0.99)]:0.0} ms");
        if (probe is not null) line += $", {probe.Summary()}";
        if (pid is { } id && Rss(id) is { } kb) line += string.Create(c, $", service RSS {kb / 1024.0:0} MiB");
        return line;
    }

    public string Refusals() =>
        _refusals.IsEmpty ? "no refusals" : "refusals:\n" + string.Join("\n", _refusals.OrderByDescending(r => r.Value).Take(10).Select(r => $"  {r.Value,6} × {r.Key}"));

    static long? Rss(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
