using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Traceability.Tests.Hosting;

namespace Traceability.Tests.Lifecycle;

/// <summary>An enterprise of a chain, with the client that speaks for it.</summary>
public sealed record Party(string Id, HttpClient Client);

/// <summary>
/// A recycling chain as enterprises post it over HTTP, one step an hour from 1 November 2026, each step
/// asserted to succeed. The steps return what the service answered, so a test reads ids from it.
/// </summary>
public sealed class Chain(ApiFixture api)
{
    Instant _clock = InstantPattern.General.Parse("2026-11-01T00:00:00Z").Value;

    /// <summary>The next moment of the chain, an hour after the last.</summary>
    public string Next()
    {
        _clock += Duration.FromHours(1);
        return InstantPattern.General.Format(_clock);
    }

    public async Task<Party> PartyAsync(string city, string role, string? group = null, params string[] activities)
    {
        var (id, client) = group is null ? await api.EnterpriseAsync(city, role) : await api.LicensedAsync(city, role, group, activities);
        return new Party(id, client);
    }

    public async Task<Guid> RegisterAsync(Party generator, string category, decimal massKg, int? units = null, object? identifier = null)
    {
        var body = await PostAsync(generator, "/api/batches", new { category, massKg, units, identifier, occurredAt = Next() });
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>Dispatch and receipt: custody passes from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public async Task TransferAsync(Party from, Party to, Guid batch, decimal sentKg, decimal? weighedKg = null, string plate = "苏B12345")
    {
        var dispatched = await PostAsync(from, $"/api/batches/{batch}/dispatches", new { to = to.Id, massKg = sentKg, occurredAt = Next(), vehiclePlate = plate });
        var manifest = dispatched.GetProperty("manifestId").GetGuid();
        await PostAsync(to, $"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = weighedKg ?? sentKg, occurredAt = Next() }, HttpStatusCode.OK);
    }

    public async Task<Guid[]> SortAsync(Party holder, Guid batch, object[] fractions, params object[] losses) =>
        Children(await PostAsync(holder, $"/api/batches/{batch}/sorting", new { fractions, losses, occurredAt = Next() }));

    public async Task<Guid[]> DismantleAsync(Party holder, Guid batch, object[] outputs, params object[] losses) =>
        Children(await PostAsync(holder, $"/api/batches/{batch}/dismantling", new { outputs, losses, occurredAt = Next() }));

    public async Task<Guid[]> SplitAsync(Party holder, Guid batch, params object[] parts) =>
        Children(await PostAsync(holder, $"/api/batches/{batch}/splitting", new { parts, occurredAt = Next() }));

    public async Task<Guid> MergeAsync(Party holder, Guid[] batches, string? category = null) =>
        (await PostAsync(holder, "/api/batches/merge", new { batches, category, occurredAt = Next() })).GetProperty("lotId").GetGuid();

    /// <summary>A fate with no outputs: reuse, remanufacture, cascade use, energy recovery, disposal.</summary>
    public Task<JsonElement> FateAsync(Party holder, Guid batch, string fate, decimal massKg, int? units = null, string? method = null) =>
        PostAsync(holder, $"/api/batches/{batch}/fates", new { fate, massKg, units, method, occurredAt = Next() });

    /// <summary>Recycling, with its outputs and losses; returns the output batches.</summary>
    public async Task<Guid[]> RecycleAsync(Party holder, Guid batch, decimal massKg, object[] outputs, params object[] losses) =>
        (await PostAsync(holder, $"/api/batches/{batch}/fates", new { fate = "recycling", massKg, outputs, losses, occurredAt = Next() }))
            .GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("batchId").GetGuid()).ToArray();

    public static async Task<JsonElement> StateAsync(Party reader, Guid batch) => await reader.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batch}");

    public static object Out(string category, decimal massKg, int? units = null) => new { category, massKg, units };

    public static object Coded(string category, decimal massKg, string kind, string value) => new { category, massKg, units = 1, identifier = new { kind, value } };

    public static object Lost(string kind, decimal massKg, string reason) => new { kind, massKg, reason };

    public static async Task<JsonElement> PostAsync(Party party, string url, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await party.Client.PostAsJsonAsync(url, body, ApiFixture.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static Guid[] Children(JsonElement response) =>
        response.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("batchId").GetGuid()).ToArray();
}
