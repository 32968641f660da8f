using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Batches;

// The facts of a batch's life. Each carries the batch id and the moment it happened in the real world
// as the acting enterprise reports it; the moment it was recorded is Marten's own timestamp.

/// <summary>A generating enterprise registered a batch of waste (产生).</summary>
public sealed record BatchGenerated(
    Guid BatchId,
    string Category,
    Mass MassKg,
    int? Units,
    UnitIdentifier? Identifier,
    string Generator,
    string City,
    string? ExternalRef,
    Instant OccurredAt);

/// <summary>The holder handed the whole batch to another enterprise under a transfer manifest (转移联单).</summary>
public sealed record BatchDispatched(
    Guid BatchId,
    Guid ManifestId,
    string ManifestNumber,
    string From,
    string To,
    string ToCity,
    Mass MassKg,
    string? VehiclePlate,
    Instant OccurredAt);

/// <summary>The addressee weighed the batch and took custody of it.</summary>
public sealed record BatchReceived(Guid BatchId, Guid ManifestId, string By, string City, Mass MassKg, Instant OccurredAt);

/// <summary>The weighed mass at receipt differed from the dispatched mass by more than the tolerance.</summary>
public sealed record ReceiptDiscrepancyRecorded(
    Guid BatchId,
    Guid ManifestId,
    string By,
    Mass SentKg,
    Mass WeighedKg,
    Mass DifferenceKg,
    decimal TolerancePercent,
    Instant OccurredAt);

/// <summary>The addressee refused the batch; custody stays with the sender.</summary>
public sealed record DispatchRejected(Guid BatchId, Guid ManifestId, string By, string Reason, Instant OccurredAt);

[JsonConverter(typeof(JsonStringEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    [JsonStringEnumMemberName("generated")] Generated,
    [JsonStringEnumMemberName("in-transit")] InTransit,
    [JsonStringEnumMemberName("received")] Received,
}

/// <summary>A dispatch awaiting the addressee's receipt or rejection.</summary>
public sealed record OpenManifest(
    Guid ManifestId,
    string ManifestNumber,
    string From,
    string To,
    string ToCity,
    Mass MassKg,
    string? VehiclePlate,
    Instant DispatchedAt,
    BatchStatus StatusBeforeDispatch);

/// <summary>
/// A batch as its stream makes it: one aggregate per batch, rebuilt only from its events (no clock is
/// read here, so a rebuild gives the same answer). Kept inline as a snapshot document for reads.
/// </summary>
public sealed partial record Batch(
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
    Instant LastOccurredAt,
    string? ExternalRef,
    IReadOnlyList<string> Custodians,
    IReadOnlyList<string> Cities)
{
    /// <summary>The stream version, set by Marten; the value If-Match is checked against.</summary>
    public long Version { get; set; }

    public static Batch Create(BatchGenerated e) => new(
        e.BatchId, e.Category, e.MassKg, e.Units, e.Identifier, e.Generator, e.City, e.Generator,
        BatchStatus.Generated, null, false, e.OccurredAt, e.OccurredAt, e.ExternalRef, [e.Generator], [e.City]);

    public Batch Apply(BatchDispatched e) => this with
    {
        Status = BatchStatus.InTransit,
        OpenManifest = new OpenManifest(e.ManifestId, e.ManifestNumber, e.From, e.To, e.ToCity, e.MassKg, e.VehiclePlate, e.OccurredAt, Status),
        LastOccurredAt = e.OccurredAt,
    };

    public Batch Apply(BatchReceived e) => this with
    {
        Status = BatchStatus.Received,
        Holder = e.By,
        MassKg = e.MassKg,
        OpenManifest = null,
        LastOccurredAt = e.OccurredAt,
        Custodians = Custodians.Contains(e.By) ? Custodians : [.. Custodians, e.By],
        Cities = Cities.Contains(e.City) ? Cities : [.. Cities, e.City],
    };

    public Batch Apply(ReceiptDiscrepancyRecorded e) => this with { HasDiscrepancy = true };

    public Batch Apply(DispatchRejected e) => this with
    {
        Status = OpenManifest?.StatusBeforeDispatch ?? Status,
        OpenManifest = null,
        LastOccurredAt = e.OccurredAt,
    };

    /// <summary>Enterprises that held it, or to which it is on its way, may see it.</summary>
    public bool IsVisibleTo(string enterpriseId) => Custodians.Contains(enterpriseId) || OpenManifest?.To == enterpriseId;

    /// <summary>
    /// The open manifest <paramref name="manifestId"/>, if <paramref name="enterpriseId"/> is its addressee: only
    /// the addressee answers a dispatch, by receipt or rejection.
    /// </summary>
    public (OpenManifest? Manifest, Requests.Refusal? Refusal) OpenManifestAddressedTo(Guid manifestId, string enterpriseId, string answer)
    {
        if (OpenManifest is not { } manifest)
            return (null, Requests.Refusal.Conflict("The batch has no open dispatch; its manifest was already received or rejected."));
        if (manifest.ManifestId != manifestId)
            return (null, Requests.Refusal.NotFound($"Manifest {manifestId} is not the batch's open dispatch."));
        if (manifest.To != enterpriseId)
            return (null, Requests.Refusal.Forbidden($"Only the addressee {manifest.To} may {answer} manifest {manifest.ManifestNumber}."));
        return (manifest, null);
    }

    /// <summary>A city's regulators see batches generated, held, or on their way there.</summary>
    public bool TouchesCity(string city) => Cities.Contains(city) || OpenManifest?.ToCity == city;

    /// <summary>The enterprise that acted in an event, for the history.</summary>
    public static string? ActorOf(object @event) => @event switch
    {
        BatchGenerated e => e.Generator,
        BatchDispatched e => e.From,
        BatchReceived e => e.By,
        ReceiptDiscrepancyRecorded e => e.By,
        DispatchRejected e => e.By,
        _ => null,
    };

    /// <summary>The real-world moment of an event.</summary>
    public static Instant? OccurredAtOf(object @event) => @event switch
    {
        BatchGenerated e => e.OccurredAt,
        BatchDispatched e => e.OccurredAt,
        BatchReceived e => e.OccurredAt,
        ReceiptDiscrepancyRecorded e => e.OccurredAt,
        DispatchRejected e => e.OccurredAt,
        _ => null,
    };
}
