using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Batches;
using Traceability.Batches.Reading;
using Traceability.Epcis.Hashing;
using Traceability.Requests;
using Traceability.Settings;

namespace Traceability.Epcis.Exporting;

/// <summary><c>GET /api/batches/{id}/epcis</c>: a batch's whole history as an EPCIS 2.0 document, to the same visibility rule as its history.</summary>
public sealed class ExportBatchEndpoint : IBatchEndpoint
{
    public const string MediaType = "application/ld+json";

    public static void Map(RouteGroupBuilder batches) =>
        batches.MapGet("/{id:guid}/epcis", Export)
            .WithName("ExportBatchEpcis")
            .WithSummary("A batch's history as an EPCIS 2.0 document")
            .WithDescription("Every event of the batch as EPCIS 2.0 JSON-LD (schema 2.0.1, context 2.0.0): ObjectEvent, TransformationEvent, CBV business steps and dispositions where CBV has them and the product's own (`https://ns.traceability.example/bizstep/...`) where it has not, masses in `quantityList` in KGM, parties and sites in source and destination lists, the product's terms as `trc:` extension fields; a correction is the corrected event replayed with an `errorDeclaration` plus the corrected event. Master data names each batch's category and each site's party and city. Each event's hash is in `trc:eventHashes` at the document's end, as eventID and `ni:///sha-256` hash. A batch the caller may not see is a 404.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<JsonElement>(StatusCodes.Status200OK, MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);

    static async Task<IResult> Export(Guid id, HttpContext http, IQuerySession session, IOptions<TraceabilityOptions> options, IClock clock)
    {
        if (await ReadBatchEndpoints.ReadableAsync(session, id, http) is null) return ReadBatchEndpoints.NotFound(id);
        var stream = await session.Events.FetchStreamAsync(id, token: http.RequestAborted);
        var names = Names(options.Value);
        var mapping = new EpcisEvents(names, session.DocumentStore.Options.Serializer());
        var events = mapping.Map(stream).Select(m => m.Event);
        var document = EpcisDocument.Of(names, events, mapping, clock.GetCurrentInstant());
        WithHashes(document);
        return Results.Text(document.ToJsonString(), MediaType, System.Text.Encoding.UTF8);
    }

    public static EpcisNames Names(TraceabilityOptions options) => new(options.EpcisIdentifierBase, options.EpcisNamespace);

    /// <summary>Each event's EPCIS hash, outside the events (inside one it would change the hash), as the product computes it.</summary>
    public static void WithHashes(JsonObject document)
    {
        using var parsed = JsonDocument.Parse(document.ToJsonString());
        document["trc:eventHashes"] = new JsonArray([.. EventHash.Of(parsed.RootElement).Select(h => (JsonNode)new JsonObject
        {
            ["eventID"] = h.EventId,
            ["hash"] = h.Hash,
        })]);
    }
}
