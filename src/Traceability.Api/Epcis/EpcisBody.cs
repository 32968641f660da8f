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
}
