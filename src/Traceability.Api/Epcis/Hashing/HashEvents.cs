using System.Text.Json;
using Traceability.Requests;

namespace Traceability.Epcis.Hashing;

/// <param name="EventId">The event's own eventID, when it has one.</param>
/// <param name="PreHash">The string the hash is taken of; only when asked for (<c>preHashes=true</c>).</param>
public sealed record EventHashView(int Index, string? EventId, string Hash, string? PreHash);

public sealed record EventHashesView(int Count, IReadOnlyList<EventHashView> EventHashes);

/// <summary>
/// <c>POST /epcis/event-hashes</c>: the CBV 2.0 event hash of every event of any EPCIS 2.0 JSON-LD document, so an
/// integrator can check its own implementation against the product's. Stateless: nothing is stored or read.
/// </summary>
public static class HashEventsEndpoint
{
    /// <summary>A document of more events is refused: each is hashed in memory, and the body bound (1 MiB) keeps them small.</summary>
    public const int MaxEvents = 10_000;

    /// <summary>Deeper JSON is refused before it is walked; EPCIS documents nest about eight levels.</summary>
    public const int MaxDepth = 32;

    public static void MapHashEvents(this RouteGroupBuilder epcis) =>
        epcis.MapPost("/event-hashes", Hash)
            .WithName("HashEpcisEvents")
            .WithSummary("EPCIS event hashes of a document")
            .WithDescription($"The CBV 2.0 EPCIS event hash (`ni:///sha-256;...?ver=CBV2.0`) of every event of the posted EPCIS 2.0 JSON-LD document (`epcisBody.eventList`, a query document's `queryResults.resultsBody.eventList`, or a single `epcisBody.event`), in document order, computed as the reference implementation (RalphTro/epcis-event-hash-generator) does, with the 2.0.0 context. `preHashes=true` adds each pre-hash string. Nothing is stored. At most {MaxEvents} events and {MaxDepth} levels of nesting; the document is not schema-checked, so partial documents hash too.")
            .Accepts<JsonElement>("application/json", "application/ld+json")
            .RequireAuthorization(Roles.AnyKey)
            .Produces<EventHashesView>()
            .ProducesValidationProblem();

    static async Task<IResult> Hash(bool? preHashes, HttpRequest request)
    {
        var (document, refusal) = await EpcisBody.ReadAsync(request, MaxDepth);
        if (document is null) return refusal!.ToResult();
        using (document)
        {
            try
            {
                var root = document.RootElement;
                var hashed = EventHash.Of(root);
                if (hashed.Count > MaxEvents) return Refusal.Invalid("epcisBody.eventList", $"must hold at most {MaxEvents} events").ToResult();
                return Results.Ok(new EventHashesView(hashed.Count,
                    [.. hashed.Select(h => new EventHashView(h.Index, h.EventId, h.Hash, preHashes == true ? h.PreHash : null))]));
            }
            catch (EpcisFormatException e)
            {
                return Refusal.Invalid(e.Field, e.Rule).ToResult();
            }
        }
    }
}
