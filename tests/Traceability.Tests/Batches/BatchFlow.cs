using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;

namespace Traceability.Tests.Batches;

/// <summary>Steps of a batch's life as an enterprise posts them, for the HTTP tests.</summary>
public static class BatchFlow
{
    public const string Generated = "2026-11-20T08:00:00Z";
    public const string Dispatched = "2026-11-21T08:00:00Z";
    public const string Received = "2026-11-21T12:00:00Z";

    public static Task<HttpResponseMessage> Register(HttpClient generator, object body) =>
        generator.PostAsJsonAsync("/api/batches", body, ApiFixture.Json);

    public static async Task<Guid> RegisterAsync(HttpClient generator, decimal massKg = 1000m, string category = "construction-waste")
    {
        var response = await Register(generator, new { category, massKg, occurredAt = Generated });
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
