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
    readonly ConcurrentQueue<double> _latencies = new();
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
            _latencies.Enqueue((arrived - recorded).TotalMilliseconds);
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

    public string Summary()
    {
        var all = _latencies.ToArray().Order().ToArray();
        return all.Length == 0 ? "no webhook deliveries yet"
            : string.Create(CultureInfo.InvariantCulture, $"webhook {all.Length} delivered, commit-to-delivery p50 {all[all.Length / 2]:0} ms p99 {all[(int)(all.Length * 0.99)]:0} ms");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
