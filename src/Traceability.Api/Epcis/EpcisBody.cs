using System.Text.Json;
using Traceability.Requests;

namespace Traceability.Epcis;

/// <summary>Reading an EPCIS document from a request body: JSON of bounded depth, or a 400 that says where it broke.</summary>
static class EpcisBody
{
    public static async Task<(JsonDocument? Document, Refusal? Refusal)> ReadAsync(HttpRequest request, int maxDepth)
    {
        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = maxDepth }, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return (document, null);
            document.Dispose();
            return (null, Refusal.Invalid("body", "must be an EPCIS document (a JSON object)"));
        }
        catch (JsonException e)
        {
            return (null, Refusal.Invalid("body", $"must be JSON of at most {maxDepth} levels: {e.Message}"));
        }
    }

    /// <summary>Each event's eventID (or null), in the order <see cref="Hashing.EventHash"/> hashes them.</summary>
    public static List<string?> EventIds(JsonElement document)
    {
        if (!document.TryGetProperty("epcisBody", out var body)) return [];
        JsonElement list = default;
        if (body.TryGetProperty("eventList", out var events)) list = events;
        else if (body.TryGetProperty("queryResults", out var q) && q.TryGetProperty("resultsBody", out var r) && r.TryGetProperty("eventList", out var e)) list = e;
        else if (body.TryGetProperty("event", out var single)) return [Id(single)];
        return list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(Id)] : [];

        static string? Id(JsonElement ev) =>
            ev.ValueKind == JsonValueKind.Object && ev.TryGetProperty("eventID", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }
}
