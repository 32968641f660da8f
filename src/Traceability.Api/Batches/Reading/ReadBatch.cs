using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;

namespace Traceability.Batches.Reading;

public sealed record BatchView(
    Guid Id,
    string Category,
    Mass MassKg,
    int? Units,
    UnitIdentifier? Identifier,
    string Generator,
    string City,
    string Holder,
    BatchStatus Status,
    OpenManifest? OpenManifest,
    bool HasDiscrepancy,
    Instant GeneratedAt,
    string? ExternalRef,
    long Version)
{
    public static BatchView Of(Batch b) => new(b.Id, b.Category, b.MassKg, b.Units, b.Identifier, b.Generator, b.City, b.Holder, b.Status,
        b.OpenManifest, b.HasDiscrepancy, b.GeneratedAt, b.ExternalRef, b.Version);
}

/// <summary>One fact in a batch's history: what happened, when in the world, when recorded, by whom.</summary>
public sealed record BatchEventView(long Version, string Type, Instant? OccurredAt, Instant RecordedAt, string? ActedBy, object Data);

public static class ReadBatchEndpoints
{
    public static void MapReadBatch(this RouteGroupBuilder batches)
    {
        batches.MapGet("/{id:guid}", GetBatch)
            .WithName("GetBatch")
            .WithSummary("Current state of a batch")
            .WithDescription("Holder, status, mass, open manifest, discrepancy flag and version (also sent as ETag, for If-Match). A batch the caller may not see is a 404.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<BatchView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        batches.MapGet("/{id:guid}/events", GetHistory)
            .WithName("GetBatchEvents")
            .WithSummary("History of a batch")
            .WithDescription("Every event of the batch in order: type, occurredAt (reported), recordedAt (by the service), the acting enterprise and the event's data.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<IReadOnlyList<BatchEventView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<IResult> GetBatch(Guid id, HttpContext http, IQuerySession session)
    {
        var batch = await session.LoadAsync<Batch>(id, http.RequestAborted);
        if (batch is null || !MayRead(Caller.From(http.User), batch)) return BatchStream.NotFoundFor(id);
        http.Response.Headers.ETag = IfMatch.ETag(batch.Version);
        return Results.Ok(BatchView.Of(batch));
    }

    static async Task<IResult> GetHistory(Guid id, HttpContext http, IQuerySession session)
    {
        var batch = await session.LoadAsync<Batch>(id, http.RequestAborted);
        if (batch is null || !MayRead(Caller.From(http.User), batch)) return BatchStream.NotFoundFor(id);
        var events = await session.Events.FetchStreamAsync(id, token: http.RequestAborted);
        return Results.Ok(events.Select(e => new BatchEventView(
            e.Version, e.EventTypeName, Batch.OccurredAtOf(e.Data), Instant.FromDateTimeOffset(e.Timestamp), Batch.ActorOf(e.Data), e.Data)).ToList());
    }

    /// <summary>Enterprises that held it (or are sent it), regulators of a city it touched or national ones, statisticians.</summary>
    internal static bool MayRead(Caller caller, Batch batch) => caller.Role switch
    {
        Roles.Enterprise => caller.EnterpriseId is { } enterprise && batch.IsVisibleTo(enterprise),
        Roles.Regulator => caller.City is not { } city || batch.TouchesCity(city),
        Roles.Statistician => true,
        _ => false,
    };
}
