using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Traceability.Simulator;

/// <summary>
/// A webhook receiver for a national regulator's key, so it is sent every event: the latency of each is the moment it
/// arrived less the moment the service recorded it (both clocks are this machine's). The service must allow http and
/// loopback receivers (Traceability:Webhooks:AllowHttp, AllowPrivateNetworks).
/// </summary>
public sealed class LatencyProbe : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<(DateTimeOffset Arrived, double Ms)> _latencies = new();
    readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    /// <summary>The first minute is left out of the run's figure: the world's set-up and a cold service are not the steady state.</summary>
    static readonly TimeSpan WarmUp = TimeSpan.FromMinutes(1);
    long _received;

    LatencyProbe(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            var arrived = DateTimeOffset.UtcNow;
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var recorded = body.RootElement.GetProperty("event").GetProperty("recordedAt").GetDateTimeOffset();
            _latencies.Enqueue((arrived, (arrived - recorded).TotalMilliseconds));
            Interlocked.Increment(ref _received);
            return Results.Ok();
        });
    }

    public static async Task<LatencyProbe> StartAsync(int port, HttpClient admin)
    {
        var probe = new LatencyProbe(port);
        await probe._app.StartAsync();
        var url = probe._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        var key = (await (await admin.PostAsJsonAsync("/api/api-keys", new { role = "regulator" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var regulator = World.Client(admin.BaseAddress!, key);
        var registered = await regulator.PostAsJsonAsync("/api/webhooks", new { url });
        if (!registered.IsSuccessStatusCode) throw new InvalidOperationException($"webhook refused: {await registered.Content.ReadAsStringAsync()}");
        return probe;
    }

    public async Task DrainAsync(long expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Interlocked.Read(ref _received) < expected && DateTime.UtcNow < deadline) await Task.Delay(100);
    }

    /// <summary>Deliveries so far; commit-to-delivery over the last 10 seconds, and over the run after its first minute.</summary>
    public string Summary()
    {
        var now = DateTimeOffset.UtcNow;
        var all = _latencies.ToArray();
        var recent = all.Where(l => l.Arrived > now - TimeSpan.FromSeconds(10)).Select(l => l.Ms).Order().ToArray();
        var steady = all.Where(l => l.Arrived > _started + WarmUp).Select(l => l.Ms).Order().ToArray();
        static string P(double[] sorted) => sorted.Length == 0 ? "-" : string.Create(CultureInfo.InvariantCulture,
            $"p50 {sorted[sorted.Length / 2]:0} ms p99 {sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]:0} ms");
        return $"webhook {all.Length} delivered, commit-to-delivery last 10 s {P(recent)}, after the first minute {P(steady)}";
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
