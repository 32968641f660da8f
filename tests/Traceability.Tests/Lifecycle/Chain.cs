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
/// The one dialect of the HTTP tests. An instance is a recycling chain as enterprises post it, one step an
/// hour from 1 November 2026, each step asserted to succeed and returning what the service answered. The
/// static steps take a client and return the raw response, for tests of refusals, with the problem readers.
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
        var body = await PostAsync(generator, "/api/batches", new { category, massKg, units, identifier, occurredAt = Next(), wasteCode = TestCodes.WasteCodeOf(category) });
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>Dispatch and receipt: custody passes from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public async Task TransferAsync(Party from, Party to, Guid batch, decimal sentKg, decimal? weighedKg = null, string plate = "苏B12345", object? manifest = null)
    {
        var dispatched = await PostAsync(from, $"/api/batches/{batch}/dispatches", new { to = to.Id, massKg = sentKg, occurredAt = Next(), vehiclePlate = plate, manifest });
        var manifestId = dispatched.GetProperty("manifestId").GetGuid();
        await PostAsync(to, $"/api/batches/{batch}/dispatches/{manifestId}/receipt", new { massKg = weighedKg ?? sentKg, occurredAt = Next() }, HttpStatusCode.OK);
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

    public static object Out(string category, decimal massKg, int? units = null) => new { category, massKg, units, wasteCode = TestCodes.WasteCodeOf(category) };

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

    // ---- single steps with the raw response, and the problem readers ------------------------------

    public const string Generated = "2026-11-20T08:00:00Z";
    public const string Dispatched = "2026-11-21T08:00:00Z";
    public const string Received = "2026-11-21T12:00:00Z";

    public static Task<HttpResponseMessage> Register(HttpClient generator, object body) =>
        generator.PostAsJsonAsync("/api/batches", body, ApiFixture.Json);

    public static async Task<Guid> RegisterAsync(HttpClient generator, decimal massKg = 1000m, string category = "construction-waste")
    {
        var response = await Register(generator, new { category, massKg, occurredAt = Generated, wasteCode = TestCodes.WasteCodeOf(category) });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static Task<HttpResponseMessage> Dispatch(HttpClient holder, Guid batch, object body) =>
        holder.PostAsJsonAsync($"/api/batches/{batch}/dispatches", body, ApiFixture.Json);

    public static async Task<Guid> DispatchAsync(HttpClient holder, Guid batch, string to, decimal massKg = 1000m)
    {
        var response = await Dispatch(holder, batch, new { to, massKg, occurredAt = Dispatched, vehiclePlate = "苏B12345" });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("manifestId").GetGuid();
    }

    public static Task<HttpResponseMessage> Receive(HttpClient addressee, Guid batch, Guid manifest, decimal massKg, string occurredAt = Received) =>
        addressee.PostAsJsonAsync($"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg, occurredAt }, ApiFixture.Json);

    public static async Task<JsonElement> StateAsync(HttpClient reader, Guid batch) =>
        await reader.GetFromJsonAsync<JsonElement>($"/api/batches/{batch}");

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The rules the problem names for a field, from its RFC 7807 "errors" member.</summary>
    public static async Task<string> FieldRuleAsync(HttpResponseMessage response, string field)
    {
        var problem = await ProblemAsync(response);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"problem has no errors member: {problem}");
        Assert.True(errors.TryGetProperty(field, out var rules), $"problem does not name {field}: {problem}");
        return string.Join("; ", rules.EnumerateArray().Select(r => r.GetString()));
    }
}
