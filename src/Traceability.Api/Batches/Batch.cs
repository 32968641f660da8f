using Traceability.Hosting;
using System.Text.Json.Serialization;
using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>
/// What every fact of a batch's life says about itself: the moment it happened in the real world as the
/// acting enterprise reports it (the moment it was recorded is Marten's own timestamp), and who acted.
/// Implemented explicitly so the serialized event carries only its own fields.
/// </summary>
public interface IBatchFact
{
    Guid BatchId { get; }
    Instant OccurredAt { get; }
    string ActedBy { get; }
}

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
    Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => Generator;
}

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
    Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => From;
}

/// <summary>The addressee weighed the batch and took custody of it.</summary>
public sealed record BatchReceived(Guid BatchId, Guid ManifestId, string By, string City, Mass MassKg, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>The weighed mass at receipt differed from the dispatched mass by more than the tolerance.</summary>
public sealed record ReceiptDiscrepancyRecorded(
    Guid BatchId,
    Guid ManifestId,
    string By,
    Mass SentKg,
    Mass WeighedKg,
    Mass DifferenceKg,
    decimal TolerancePercent,
    Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>The addressee refused the batch; custody stays with the sender.</summary>
public sealed record DispatchRejected(Guid BatchId, Guid ManifestId, string By, string Reason, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

[JsonConverter(typeof(JsonStringEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>Held by the enterprise that generated it.</summary>
    [JsonStringEnumMemberName("generated")] Generated,
    /// <summary>Held by the enterprise whose sorting, dismantling, splitting, merging or recycling produced it.</summary>
    [JsonStringEnumMemberName("derived")] Derived,
    [JsonStringEnumMemberName("in-transit")] InTransit,
    [JsonStringEnumMemberName("received")] Received,
    /// <summary>Terminal: sorted, dismantled or split; its mass went on to its children.</summary>
    [JsonStringEnumMemberName("transformed")] Transformed,
    /// <summary>Terminal: merged into a lot.</summary>
    [JsonStringEnumMemberName("merged")] Merged,
    /// <summary>Terminal: every kilogram has a fate.</summary>
    [JsonStringEnumMemberName("ended")] Ended,
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
/// read here, so a rebuild gives the same answer). Kept inline as a snapshot document for reads. The
/// Apply methods of later steps (sorting, fates, corrections...) sit in their own slices.
/// </summary>
/// <param name="MassKg">The batch's mass as last generated, weighed at receipt, derived or corrected.</param>
/// <param name="StoredSince">When the current holder started storing it: generation, derivation or receipt. A rejected dispatch does not restart it.</param>
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
    IReadOnlyList<string> Cities,
    Instant? StoredSince)
{
    /// <summary>The stream version, set by Marten; the value If-Match is checked against.</summary>
    public long Version { get; set; }

    /// <summary>When it was generated or derived, in Unix milliseconds: the sort key and cursor of the batch search.</summary>
    public long GeneratedAtMs => GeneratedAt.ToUnixTimeMilliseconds();

    /// <summary>Sort key of the batch search: time first, then id, so a cursor is stable when two batches share a millisecond.</summary>
    public string SearchKey => $"{GeneratedAtMs:D15}:{Id:N}";

    /// <summary>Mass that has neither a fate nor went on to children yet.</summary>
    public Mass RemainingKg { get; init; }

    public static Batch Create(BatchGenerated e) => new(
        e.BatchId, e.Category, e.MassKg, e.Units, e.Identifier, e.Generator, e.City, e.Generator,
        BatchStatus.Generated, null, false, e.OccurredAt, e.OccurredAt, e.ExternalRef, [e.Generator], [e.City], e.OccurredAt)
    {
        RemainingKg = e.MassKg,
    };

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
        RemainingKg = e.MassKg,
        OpenManifest = null,
        LastOccurredAt = e.OccurredAt,
        StoredSince = e.OccurredAt,
        Custodians = Custodians.Contains(e.By) ? Custodians : [.. Custodians, e.By],
        Cities = Cities.Contains(e.City) ? Cities : [.. Cities, e.City],
    };

    public Batch Apply(ReceiptDiscrepancyRecorded e) => this with { HasDiscrepancy = true };

    // The batch comes back to its sender, whose storage clock keeps running from before: a dispatch that
    // is refused must not reset the storage limit.
    public Batch Apply(DispatchRejected e) => this with
    {
        Status = OpenManifest?.StatusBeforeDispatch ?? Status,
        OpenManifest = null,
        LastOccurredAt = e.OccurredAt,
    };

    /// <summary>Terminal batches take no further event: their mass is gone to children, a lot or its fates.</summary>
    public bool IsLive => Status is not (BatchStatus.Transformed or BatchStatus.Merged or BatchStatus.Ended);

    /// <summary>Enterprises that held it, or to which it is on its way, may see it.</summary>
    public bool IsVisibleTo(string enterpriseId) => Custodians.Contains(enterpriseId) || OpenManifest?.To == enterpriseId;

    /// <summary>
    /// Null when <paramref name="enterpriseId"/> may act on the batch now: it is live, not in transit, and
    /// the caller holds it. Otherwise the refusal (409 for the batch's state, 403 for someone else's batch).
    /// </summary>
    public Refusal? RefuseUnlessHeldBy(string enterpriseId, string doing)
    {
        if (RefuseUnlessLive() is { } ended) return ended;
        if (OpenManifest is { } open)
            return Refusal.Conflict($"The batch is in transit to {open.To} under manifest {open.ManifestNumber}; it may not {doing} until received or rejected.");
        if (Holder != enterpriseId)
            return Refusal.Forbidden($"Only the current holder {Holder} may {doing} this batch.");
        return null;
    }

    /// <summary>Null while the batch is live; once transformed, merged or ended, the 409 saying nothing further may be posted.</summary>
    public Refusal? RefuseUnlessLive() =>
        IsLive ? null : Refusal.Conflict($"The batch is {EnumNames.Of(Status)}; nothing further may be posted on it.");

    /// <summary>
    /// The open manifest <paramref name="manifestId"/>, if <paramref name="enterpriseId"/> is its addressee: only
    /// the addressee answers a dispatch, by receipt or rejection.
    /// </summary>
    public (OpenManifest? Manifest, Refusal? Refusal) OpenManifestAddressedTo(Guid manifestId, string enterpriseId, string answer)
    {
        if (OpenManifest is not { } manifest)
            return (null, Refusal.Conflict("The batch has no open dispatch; its manifest was already received or rejected."));
        if (manifest.ManifestId != manifestId)
            return (null, Refusal.NotFound($"Manifest {manifestId} is not the batch's open dispatch."));
        if (manifest.To != enterpriseId)
            return (null, Refusal.Forbidden($"Only the addressee {manifest.To} may {answer} manifest {manifest.ManifestNumber}."));
        return (manifest, null);
    }

    /// <summary>A city's regulators see batches generated, held, or on their way there.</summary>
    public bool TouchesCity(string city) => Cities.Contains(city) || OpenManifest?.ToCity == city;
}
