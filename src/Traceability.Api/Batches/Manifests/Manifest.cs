using System.Text.Json.Serialization;
using Marten;
using Marten.Events.Projections;
using NodaTime;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.Requests;

namespace Traceability.Batches.Manifests;

[JsonConverter(typeof(NamedEnumConverter<ManifestStatus>))]
public enum ManifestStatus
{
    [JsonStringEnumMemberName("in-transit")] InTransit,
    [JsonStringEnumMemberName("received")] Received,
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>
/// A transfer manifest as one document (联单): what was sent, by whom, through whom, to whom, and how it ended
/// (received with the weighed mass, or rejected). Built inline from the batch events that name it, so it is as
/// current as the batch. Read by sender, carrier, addressee and the regulators of both cities.
/// </summary>
public sealed record Manifest(
    Guid Id, string Number, Guid BatchId, string From, string? FromCity, string To, string ToCity, Mass SentKg, string? VehiclePlate, Instant DispatchedAt,
    ManifestDetails? Details, ManifestStatus Status, Mass? ReceivedKg, Instant? ClosedAt, Mass? DiscrepancyKg, string? RejectionReason) : IScoped
{
    /// <summary>The carrier reads it too: it carries the paper copy.</summary>
    public bool Involves(string enterpriseId) => From == enterpriseId || To == enterpriseId || Details?.Carrier == enterpriseId;

    public bool TouchesCity(string city) => FromCity == city || ToCity == city;
}

public sealed class ManifestProjection : MultiStreamProjection<Manifest, Guid>
{
    public ManifestProjection()
    {
        Name = "manifests";
        Identity<BatchDispatched>(e => e.ManifestId);
        Identity<BatchReceived>(e => e.ManifestId);
        Identity<ReceiptDiscrepancyRecorded>(e => e.ManifestId);
        Identity<DispatchRejected>(e => e.ManifestId);
    }

    public static Manifest Create(BatchDispatched e) => new(e.ManifestId, e.ManifestNumber, e.BatchId, e.From, e.FromCity, e.To, e.ToCity, e.MassKg, e.VehiclePlate,
        e.OccurredAt, e.Manifest, ManifestStatus.InTransit, null, null, null, null);

    public static Manifest Apply(BatchReceived e, Manifest m) => m with { Status = ManifestStatus.Received, ReceivedKg = e.MassKg, ClosedAt = e.OccurredAt };

    public static Manifest Apply(ReceiptDiscrepancyRecorded e, Manifest m) => m with { DiscrepancyKg = e.DifferenceKg };

    public static Manifest Apply(DispatchRejected e, Manifest m) => m with { Status = ManifestStatus.Rejected, ClosedAt = e.OccurredAt, RejectionReason = e.Reason };
}

public static class ManifestEndpoint
{
    public static void MapManifests(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/manifests/{id:guid}", Handle)
            .WithTags("Batches")
            .WithName("GetManifest")
            .WithSummary("A transfer manifest as one document")
            .WithDescription("Sender, addressee and their cities, carrier and its permit, waste code, hazards, physical form, packaging and count, intended operation, approval number, vehicle, mass sent and weighed, and how it ended (in-transit, received, rejected). Read by the sender, the carrier, the addressee, regulators of either city and national regulators; to anyone else it is a 404.")
            .RequireAuthorization(Roles.ManifestReaders)
            .Produces<Manifest>()
            .ProducesProblem(StatusCodes.Status404NotFound);

    static async Task<IResult> Handle(Guid id, HttpContext http, IQuerySession session)
    {
        var manifest = await session.LoadAsync<Manifest>(id, http.RequestAborted);
        return manifest is not null && Visibility.MayRead(Caller.From(http.User), manifest)
            ? Results.Ok(manifest)
            : Refusal.NotFound($"No manifest {id} is visible to this key.").ToResult();
    }
}
