using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Traceability.Simulator;

// A realistic stretch of time for a set of cities, fed to a running service through its single endpoints or its bulk
// endpoint at a chosen rate; with --webhook-port it also measures how long an event takes from its commit to a webhook.
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: dotnet run --project tools/Traceability.Simulator -- --admin-key KEY [--url http://127.0.0.1:5080]
               [--cities 320200,320500,321100] [--chains 1000 | --minutes M] [--rate EVENTS_PER_SECOND (0: as fast as it goes)]
               [--days 7] [--mode single|bulk] [--clients 16] [--wave 500] [--webhook-port P] [--pid SERVICE_PID] [--seed 1]
        """);
    return 2;
}

var random = new Random(options.Seed);
var admin = World.Client(options.Url, options.AdminKey);
var world = await World.BuildAsync(admin, options.Cities, random);
Console.WriteLine($"{world.Parties.Count} enterprises in {options.Cities.Count} cities registered, licensed and keyed");
var now = DateTimeOffset.UtcNow;
var chains = new ChainFactory(world, random, now - TimeSpan.FromDays(options.Days), now);
var clients = world.Parties.ToDictionary(p => p.Id, p => World.Client(options.Url, p.Key));
var meter = new Meter(options.Rate);
var latency = options.WebhookPort is { } port ? await LatencyProbe.StartAsync(port, admin) : null;
var until = options.Minutes > 0 ? DateTime.UtcNow + TimeSpan.FromMinutes(options.Minutes) : DateTime.MaxValue;
var made = 0;
Chain? NextChain() => (options.Minutes > 0 ? DateTime.UtcNow < until : Interlocked.Increment(ref made) <= options.Chains) ? chains.Next() : null;
var chainLock = new Lock();

using var reporting = new CancellationTokenSource();
var report = Task.Run(async () =>
{
    var watch = Stopwatch.StartNew();
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
    while (await timer.WaitForNextTickAsync(reporting.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result))
        Console.WriteLine(meter.Report(watch.Elapsed, latency, options.Pid));
});

var total = Stopwatch.StartNew();
if (options.Mode == "bulk") await RunBulkAsync();
else await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(RunSingleAsync)));
var seconds = total.Elapsed.TotalSeconds;
if (latency is not null) await latency.DrainAsync(meter.Stored, TimeSpan.FromSeconds(30));
reporting.Cancel();
await report;
Console.WriteLine(meter.Report(total.Elapsed, latency, options.Pid));
Console.WriteLine(meter.Refusals());
if (latency is not null) await latency.DisposeAsync();
return 0;

async Task RunSingleAsync()
{
    while (true)
    {
        Chain? chain;
        lock (chainLock) chain = NextChain();
        if (chain is null) return;
        while (chain.Next() is { } step)
        {
            await meter.WaitTurnAsync();
            var started = Stopwatch.GetTimestamp();
            var response = await clients[step.By.Id].PostAsJsonAsync(step.Path, step.Body);
            var text = await response.Content.ReadAsStringAsync();
            meter.Answered(step.Path, (int)response.StatusCode, text, Stopwatch.GetElapsedTime(started));
            if (!response.IsSuccessStatusCode) break; // the chain cannot go on from a refusal
            step.Answered?.Invoke(JsonDocument.Parse(text).RootElement.Clone());
        }
    }
}

// Waves of chains: each phase sends every chain's next step, one NDJSON request per enterprise, and feeds the answers back.
async Task RunBulkAsync()
{
    while (true)
    {
        var wave = new List<Chain>();
        lock (chainLock)
            while (wave.Count < options.Wave && NextChain() is { } chain) wave.Add(chain);
        if (wave.Count == 0) return;
        var live = wave.Select(c => (Chain: c, Step: c.Next())).Where(x => x.Step is not null).ToList();
        while (live.Count > 0)
        {
            var next = new ConcurrentBag<(Chain, Step?)>();
            await Task.WhenAll(live.GroupBy(x => x.Step!.By.Id).Select(async group =>
            {
                var steps = group.ToList();
                var lines = new StringBuilder();
                foreach (var (_, step) in steps) lines.Append(JsonSerializer.Serialize(new { path = step!.Path, body = step.Body })).Append('\n');
                for (var i = 0; i < steps.Count; i++) await meter.WaitTurnAsync();
                var content = new StringContent(lines.ToString(), Encoding.UTF8);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
                var started = Stopwatch.GetTimestamp();
                using var response = await clients[group.Key].PostAsync("/api/commands", content);
                var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var elapsed = Stopwatch.GetElapsedTime(started) / Math.Max(1, results.Length);
                for (var i = 0; i < results.Length; i++)
                {
                    using var result = JsonDocument.Parse(results[i]);
                    var status = result.RootElement.GetProperty("status").GetInt32();
                    meter.Answered(steps[i].Step!.Path, status, results[i], elapsed);
                    var (chain, step) = steps[i];
                    if (status >= 300) continue;
                    step!.Answered?.Invoke(result.RootElement.GetProperty("body").Clone());
                    next.Add((chain, chain.Next()));
                }
            }));
            live = [.. next.Where(x => x.Item2 is not null).Select(x => (x.Item1, x.Item2))];
        }
    }
}

/// <summary>The command line, with its defaults.</summary>
sealed record Options(Uri Url, string AdminKey, IReadOnlyList<string> Cities, int Chains, double Minutes, int Rate, int Days, string Mode, int Clients, int Wave,
    int? WebhookPort, int? Pid, int Seed)
{
    public static Options? Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            map[args[i][2..]] = args[i + 1];
        }
        if (!map.TryGetValue("admin-key", out var key)) return null;
        int Int(string name, int fallback) => map.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var mode = map.GetValueOrDefault("mode", "single");
        if (mode is not ("single" or "bulk")) return null;
        return new Options(new Uri(map.GetValueOrDefault("url", "http://127.0.0.1:5080")), key,
            map.GetValueOrDefault("cities", "320200,320500,321100").Split(','), Int("chains", 1000),
            map.TryGetValue("minutes", out var m) ? double.Parse(m, CultureInfo.InvariantCulture) : 0, Int("rate", 0), Int("days", 7), mode, Int("clients", 16),
            Int("wave", 500), map.ContainsKey("webhook-port") ? Int("webhook-port", 0) : null, map.ContainsKey("pid") ? Int("pid", 0) : null, Int("seed", 1));
    }
}
