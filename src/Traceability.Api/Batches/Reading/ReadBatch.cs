using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;

namespace Traceability.Batches.Reading;

/// <summary>A batch's state as the API returns it.</summary>
/// <param name="MassKg">Mass as last generated, weighed at receipt, derived or corrected.</param>
/// <param name="RemainingKg">Mass that has neither a fate nor went on to children.</param>
/// <param name="Generator">The generating enterprise, or for a derived batch the enterprise whose process produced it.</param>
/// <param name="StoredSince">When the current holder began storing it (null while in transit or once it ended).</param>
/// <param name="Origin">null for a generated batch; else sorting, dismantling, splitting, merging, recycling or cascade-use.</param>
/// <param name="WasteCode">Hazardous waste: its 8-digit code of the National Hazardous Waste List.</param>
/// <param name="AncestorCodes">A cascade-use product: the battery codes it was made from.</param>
public sealed record BatchView(
    Guid Id,
    string Category,
    Mass MassKg,
    Mass RemainingKg,
    int? Units,
    UnitIdentifier? Identifier,
    string Generator,
    string City,
    string Holder,
    BatchStatus Status,
    OpenManifest? OpenManifest,
    bool HasDiscrepancy,
    Instant GeneratedAt,
    Instant? StoredSince,
    string? ExternalRef,
    Process? Origin,
    IReadOnlyList<ParentShare> Parents,
    IReadOnlyList<ChildRef> Children,
    IReadOnlyList<FateEntry> Fates,
    Mass LossesKg,
    Guid? MergedInto,
    long Version,
    string? WasteCode,
    IReadOnlyList<string> AncestorCodes)
{
    public static BatchView Of(Batch b) => new(b.Id, b.Category, b.MassKg, b.RemainingKg, b.Units, b.Identifier, b.Generator, b.City, b.Holder, b.Status,
        b.OpenManifest, b.HasDiscrepancy, b.GeneratedAt, b.IsLive && b.OpenManifest is null ? b.StoredSince : null, b.ExternalRef,
        b.Origin, b.Parents, b.Children, b.Fates, b.LossesKg, b.MergedInto, b.Version, b.WasteCode, b.AncestorCodes);
}

/// <summary>One fact in a batch's history: what happened, when in the world, when recorded, by whom, and which later corrections amend it.</summary>
public sealed record BatchEventView(long Version, string Type, Instant? OccurredAt, Instant RecordedAt, string? ActedBy, object Data, IReadOnlyList<long> CorrectedBy);

public sealed class ReadBatchEndpoints : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches)
    {
        batches.MapGet("/{id:guid}", GetBatch)
            .WithName("GetBatch")
            .WithSummary("Current state of a batch")
            .WithDescription("Holder, status, mass and remaining mass, storage clock, open manifest, discrepancy flag, parents and children with masses, fates, declared losses and version (also sent as ETag, for If-Match). A batch the caller may not see is a 404.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<BatchView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        batches.MapGet("/{id:guid}/events", GetHistory)
            .WithName("GetBatchEvents")
            .WithSummary("History of a batch")
            .WithDescription("Every event of the batch in order: type, occurredAt (reported), recordedAt (by the service), the acting enterprise, the event's data, and the versions of corrections that amend it.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<IReadOnlyList<BatchEventView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>The batch, if it exists and the caller may see it (<see cref="Visibility"/>); every read of one batch starts here.</summary>
    public static async Task<Batch?> ReadableAsync(IQuerySession session, Guid id, HttpContext http)
    {
        var batch = await session.LoadAsync<Batch>(id, http.RequestAborted);
        return batch is not null && Visibility.MayRead(Caller.From(http.User), batch) ? batch : null;
    }

    /// <summary>The same 404 whether the batch does not exist or the caller may not see it, so existence is not leaked.</summary>
    public static IResult NotFound(Guid id) => Refusal.NotFound($"No batch {id} is visible to this caller.").ToResult();

    static async Task<IResult> GetBatch(Guid id, HttpContext http, IQuerySession session)
    {
        if (await ReadableAsync(session, id, http) is not { } batch) return NotFound(id);
        http.Response.Headers.ETag = IfMatch.ETag(batch.Version);
        return Results.Ok(BatchView.Of(batch));
    }

    static async Task<IResult> GetHistory(Guid id, HttpContext http, IQuerySession session)
    {
        if (await ReadableAsync(session, id, http) is null) return NotFound(id);
        var events = await session.Events.FetchStreamAsync(id, token: http.RequestAborted);
        var corrections = events.Where(e => e.Data is FigureCorrected).ToLookup(e => ((FigureCorrected)e.Data).CorrectsVersion, e => e.Version);
        return Results.Ok(events.Select(e => new BatchEventView(
            e.Version, e.EventTypeName, (e.Data as IBatchFact)?.OccurredAt, Instant.FromDateTimeOffset(e.Timestamp), (e.Data as IBatchFact)?.ActedBy, e.Data,
            [.. corrections[e.Version]])).ToList());
    }
}
