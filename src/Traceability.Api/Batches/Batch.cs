using System.Globalization;
using System.Text.Json.Serialization;
using NodaTime;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

// The batch aggregate and every event of a batch's life, read top to bottom: the events first, then the
// vocabulary they use, then the state they fold into.

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
    Instant OccurredAt,
    string? WasteCode = null) : IBatchFact
{
    string IBatchFact.ActedBy => Generator;
}

/// <summary>
/// The holder handed the whole batch to another enterprise under a transfer manifest (转移联单): from its city to
/// the addressee's, with the manifest's further fields (carrier, waste code, hazards...) where it carries them.
/// </summary>
public sealed record BatchDispatched(
    Guid BatchId,
    Guid ManifestId,
    string ManifestNumber,
    string From,
    string To,
    string ToCity,
    Mass MassKg,
    string? VehiclePlate,
    Instant OccurredAt,
    string? FromCity = null,
    Manifests.ManifestDetails? Manifest = null) : IBatchFact
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

/// <summary>
/// The first event of a batch that came out of others: its parents with the mass each gave, the
/// enterprise whose process produced it (its first holder, in that enterprise's city), and its origin mix,
/// computed from the parents' when it was made, so the statistics read each batch's origin from its own stream.
/// </summary>
public sealed record BatchDerived(
    Guid BatchId,
    Process Process,
    string Category,
    Mass MassKg,
    int? Units,
    UnitIdentifier? Identifier,
    IReadOnlyList<ParentShare> Parents,
    string Producer,
    string City,
    Instant OccurredAt,
    string? WasteCode = null,
    IReadOnlyList<string>? AncestorCodes = null,
    IReadOnlyList<OriginPart>? Origins = null) : IBatchFact
{
    string IBatchFact.ActedBy => Producer;
}

/// <summary>The holder sorted the batch (分拣) into fractions of other categories, declaring what was lost.</summary>
public sealed record BatchSorted(
    Guid BatchId, string By, string City, Mass InputKg, IReadOnlyList<Output> Fractions, IReadOnlyList<Loss> Losses, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>The holder took the batch's units apart (拆解) into components and materials, declaring what was lost.</summary>
public sealed record BatchDismantled(
    Guid BatchId, string By, string City, Mass InputKg, IReadOnlyList<Output> Outputs, IReadOnlyList<Loss> Losses, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>The holder divided the batch into parts of the same category (to sell part of it).</summary>
public sealed record BatchSplit(Guid BatchId, string By, string City, Mass InputKg, IReadOnlyList<Output> Parts, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>
/// The holder, on the battery white list for cascade use, turned the batch (a pack, module or cell) with others
/// into a cascade-use product (梯次利用产品) under a new code; <see cref="MassKg"/> is what of this batch went into it.
/// </summary>
public sealed record BatchCascadeUsed(
    Guid BatchId, Guid ProductId, string ProductCategory, string By, string City, Mass InputKg, Mass MassKg, Mass LossKg, string? Application, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>The holder merged the batch, with others it holds, into a lot (合并).</summary>
public sealed record BatchMerged(Guid BatchId, Guid LotId, string LotCategory, string By, string City, Mass MassKg, Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>
/// The holder gave part or all of the batch its fate. Recycling lists its outputs (new batches) and
/// losses; <see cref="RemainingKg"/> is what still awaits a fate afterwards (0 ends the batch).
/// <see cref="OperationCode"/> is the recovery or disposal operation (Basel Annex IV, as Chinese permits use
/// it): D1 landfill, D10 incineration on land, R1 use as a fuel to generate energy.
/// </summary>
public sealed record FateRecorded(
    Guid BatchId,
    Guid FateId,
    Fate Fate,
    DisposalMethod? Method,
    string By,
    string City,
    Mass MassKg,
    int? Units,
    IReadOnlyList<Output> Outputs,
    IReadOnlyList<Loss> Losses,
    Mass RemainingKg,
    string? Note,
    Instant OccurredAt,
    string? OperationCode = null) : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>
/// A participant corrected a figure it had reported: the event (by its version in the stream) and field,
/// the figure as it stood and as corrected, and why. The corrected event stays as it was recorded;
/// <see cref="OccurredAt"/> is when the correction was made.
/// </summary>
public sealed record FigureCorrected(
    Guid BatchId, long CorrectsVersion, string CorrectsEvent, string Field, string Previous, string Corrected, string Reason, string By, Instant OccurredAt)
    : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

/// <summary>
/// A regulator approved a longer storage of the batch by its current holder (hazardous waste is stored a year
/// at most unless the authority extends it): the storage check waits until the end of <see cref="Until"/>.
/// </summary>
/// <param name="By">The approving regulator's key id.</param>
public sealed record StorageExtended(Guid BatchId, string Holder, Instant Since, LocalDate Until, string ApprovalNumber, string Reason, string By, Instant OccurredAt)
    : IBatchFact
{
    string IBatchFact.ActedBy => By;
}

// ---- The vocabulary the events use --------------------------------------------------------------

/// <summary>How a batch came out of others.</summary>
[JsonConverter(typeof(NamedEnumConverter<Process>))]
public enum Process
{
    [JsonStringEnumMemberName("sorting")] Sorting,
    [JsonStringEnumMemberName("dismantling")] Dismantling,
    [JsonStringEnumMemberName("splitting")] Splitting,
    [JsonStringEnumMemberName("merging")] Merging,
    [JsonStringEnumMemberName("recycling")] Recycling,
    /// <summary>Packs, modules or cells re-coded into a cascade-use product (梯次利用).</summary>
    [JsonStringEnumMemberName("cascade-use")] CascadeUse,
}

/// <summary>Mass a transformation declares as gone rather than passed on (dried off, residue, dust...).</summary>
[JsonConverter(typeof(NamedEnumConverter<LossKind>))]
public enum LossKind
{
    [JsonStringEnumMemberName("moisture")] Moisture,
    [JsonStringEnumMemberName("residue")] Residue,
    [JsonStringEnumMemberName("dust")] Dust,
    [JsonStringEnumMemberName("process")] Process,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>How a disposal was done: the policy's landfill, or incineration without energy recovery.</summary>
[JsonConverter(typeof(NamedEnumConverter<DisposalMethod>))]
public enum DisposalMethod
{
    [JsonStringEnumMemberName("landfill")] Landfill,
    [JsonStringEnumMemberName("incineration")] Incineration,
}

/// <summary>One new batch a transformation produced, as the parent's event lists it.</summary>
/// <param name="WasteCode">Hazardous waste: its 8-digit code of the National Hazardous Waste List.</param>
public sealed record Output(Guid BatchId, string Category, Mass MassKg, int? Units, UnitIdentifier? Identifier, string? WasteCode = null);

public sealed record Loss(LossKind Kind, Mass MassKg, string Reason);

/// <summary>How much of a child's mass came from one parent.</summary>
public sealed record ParentShare(Guid BatchId, Mass MassKg);

/// <summary>A child as its parent remembers it.</summary>
public sealed record ChildRef(Guid BatchId, string Category, Mass MassKg, Process Process);

/// <summary>A fate as the batch's state lists it.</summary>
/// <param name="LossesKg">Of <paramref name="MassKg"/>, what recycling declared lost rather than turned into outputs.</param>
public sealed record FateEntry(Guid FateId, Fate Fate, DisposalMethod? Method, Mass MassKg, int? Units, string By, Instant OccurredAt, Mass LossesKg = default, string? OperationCode = null);

/// <summary>The figures a correction may amend, as the events name them.</summary>
public static class CorrectableFields
{
    public const string MassKg = "massKg";
    public const string Units = "units";
    public const string VehiclePlate = "vehiclePlate";
    public const string ExternalRef = "externalRef";
}

/// <summary>Stored event type names, as Marten writes them and the history shows them.</summary>
public static class EventNames
{
    public const string Generated = "batch_generated";
    public const string Dispatched = "batch_dispatched";
    public const string Received = "batch_received";
}


[JsonConverter(typeof(NamedEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>Held by the enterprise that generated it.</summary>
    [JsonStringEnumMemberName("generated")] Generated,
    /// <summary>Held by the enterprise whose sorting, dismantling, splitting, merging or recycling produced it.</summary>
    [JsonStringEnumMemberName("derived")] Derived,
    [JsonStringEnumMemberName("in-transit")] InTransit,
    [JsonStringEnumMemberName("received")] Received,
    /// <summary>Terminal: sorted, dismantled, split or cascade-used; its mass went on to its children.</summary>
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
/// read here, so a rebuild gives the same answer). Kept inline as a snapshot document for reads.
/// </summary>
/// <param name="MassKg">The batch's mass as last generated, weighed at receipt, derived or corrected.</param>
/// <param name="StoredSince">When the current holder started storing it: generation, derivation or receipt. A rejected dispatch does not restart it.</param>
public sealed record Batch(
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
    Instant? StoredSince) : IScoped
{
    /// <summary>The stream version, set by Marten; the value If-Match is checked against.</summary>
    public long Version { get; set; }

    /// <summary>When it was generated or derived, in Unix milliseconds: the sort key and cursor of the batch search.</summary>
    public long GeneratedAtMs => GeneratedAt.ToUnixTimeMilliseconds();

    /// <summary>Sort key of the batch search: time first, then id, so a cursor is stable when two batches share a millisecond.</summary>
    public string SearchKey => $"{GeneratedAtMs:D15}:{Id:N}";

    /// <summary>Mass that has neither a fate nor went on to children yet.</summary>
    public Mass RemainingKg { get; init; }

    /// <summary>How the batch came to be: null for a generated batch.</summary>
    public Process? Origin { get; init; }

    public IReadOnlyList<ParentShare> Parents { get; init; } = [];

    public IReadOnlyList<ChildRef> Children { get; init; } = [];

    /// <summary>Mass declared lost in its transformations and fates.</summary>
    public Mass LossesKg { get; init; }

    public IReadOnlyList<FateEntry> Fates { get; init; } = [];

    public Guid? MergedInto { get; init; }

    /// <summary>Hazardous waste: the 8-digit code of the National Hazardous Waste List it was registered or derived with.</summary>
    public string? WasteCode { get; init; }

    /// <summary>The last China date an approved extension lets the current holder store it (null: its category's limit).</summary>
    public LocalDate? StorageExtendedUntil { get; init; }

    public Batch Apply(StorageExtended e) => this with { StorageExtendedUntil = e.Until };

    /// <summary>Where its mass comes from: generator's city, origin category, generation month, already utilized or not (<see cref="OriginMix"/>).</summary>
    public IReadOnlyList<OriginPart> Origins { get; init; } = [];

    /// <summary>A cascade-use product: the codes of the packs, modules or cells it was made from (GB/T 34014 keeps them as its ancestors).</summary>
    public IReadOnlyList<string> AncestorCodes { get; init; } = [];

    public static Batch Create(BatchGenerated e) => new(
        e.BatchId, e.Category, e.MassKg, e.Units, e.Identifier, e.Generator, e.City, e.Generator,
        BatchStatus.Generated, null, false, e.OccurredAt, e.OccurredAt, e.ExternalRef, [e.Generator], [e.City], e.OccurredAt)
    {
        RemainingKg = e.MassKg,
        WasteCode = e.WasteCode,
        Origins = OriginMix.Generated(e.City, e.Category, e.OccurredAt),
    };

    public static Batch Create(BatchDerived e) => new(
        e.BatchId, e.Category, e.MassKg, e.Units, e.Identifier, e.Producer, e.City, e.Producer,
        BatchStatus.Derived, null, false, e.OccurredAt, e.OccurredAt, null, [e.Producer], [e.City], e.OccurredAt)
    {
        RemainingKg = e.MassKg,
        Origin = e.Process,
        Parents = e.Parents,
        WasteCode = e.WasteCode,
        AncestorCodes = e.AncestorCodes ?? [],
        // A batch derived before mixes were carried counts as its own origin.
        Origins = e.Origins ?? OriginMix.Generated(e.City, e.Category, e.OccurredAt),
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
        StorageExtendedUntil = null,
        Custodians = Custodians.Contains(e.By) ? Custodians : [.. Custodians, e.By],
        Cities = Cities.Contains(e.City) ? Cities : [.. Cities, e.City],
    };

    public Batch Apply(ReceiptDiscrepancyRecorded e) => this with { HasDiscrepancy = true };

    public Batch Apply(BatchSorted e) => Transformed(Process.Sorting, e.Fractions, e.Losses, e.OccurredAt);

    public Batch Apply(BatchDismantled e) => Transformed(Process.Dismantling, e.Outputs, e.Losses, e.OccurredAt);

    public Batch Apply(BatchSplit e) => Transformed(Process.Splitting, e.Parts, [], e.OccurredAt);

    public Batch Apply(BatchCascadeUsed e) => this with
    {
        Status = BatchStatus.Transformed,
        RemainingKg = default,
        Children = [.. Children, new ChildRef(e.ProductId, e.ProductCategory, e.MassKg, Process.CascadeUse)],
        LossesKg = LossesKg + e.LossKg,
        LastOccurredAt = e.OccurredAt,
    };

    public Batch Apply(BatchMerged e) => this with
    {
        Status = BatchStatus.Merged,
        MergedInto = e.LotId,
        RemainingKg = default,
        Children = [.. Children, new ChildRef(e.LotId, e.LotCategory, e.MassKg, Process.Merging)],
        LastOccurredAt = e.OccurredAt,
    };

    public Batch Apply(FateRecorded e) => this with
    {
        Fates = [.. Fates, new FateEntry(e.FateId, e.Fate, e.Method, e.MassKg, e.Units, e.By, e.OccurredAt, Sum(e.Losses), e.OperationCode)],
        RemainingKg = e.RemainingKg,
        Units = Units is { } units && e.Units is { } fated ? units - fated : Units,
        Status = e.RemainingKg.Kilograms == 0 ? BatchStatus.Ended : Status,
        Children = [.. Children, .. e.Outputs.Select(o => new ChildRef(o.BatchId, o.Category, o.MassKg, Process.Recycling))],
        LossesKg = LossesKg + Sum(e.Losses),
        LastOccurredAt = e.OccurredAt,
    };

    // The decision admits a correction only while the figure is the current one, so applying it is plain.
    public Batch Apply(FigureCorrected e) => (e.Field, e.CorrectsEvent) switch
    {
        (CorrectableFields.MassKg, EventNames.Dispatched) => this with { OpenManifest = OpenManifest! with { MassKg = ParseMass(e.Corrected) } },
        (CorrectableFields.MassKg, _) => this with { MassKg = ParseMass(e.Corrected), RemainingKg = ParseMass(e.Corrected) },
        (CorrectableFields.Units, _) => this with { Units = int.Parse(e.Corrected, CultureInfo.InvariantCulture) },
        (CorrectableFields.VehiclePlate, _) => this with { OpenManifest = OpenManifest! with { VehiclePlate = e.Corrected } },
        (CorrectableFields.ExternalRef, _) => this with { ExternalRef = e.Corrected },
        _ => this,
    };

    /// <summary>The parent's side of a sorting, dismantling or split: all its remaining mass went to children and losses.</summary>
    Batch Transformed(Process process, IReadOnlyList<Output> outputs, IReadOnlyList<Loss> losses, Instant occurredAt) => this with
    {
        Status = BatchStatus.Transformed,
        RemainingKg = default,
        Children = [.. Children, .. outputs.Select(o => new ChildRef(o.BatchId, o.Category, o.MassKg, process))],
        LossesKg = LossesKg + Sum(losses),
        LastOccurredAt = occurredAt,
    };

    static Mass Sum(IEnumerable<Loss> losses) => new(losses.Sum(l => l.MassKg.Kilograms));

    static Mass ParseMass(string kg) => new(decimal.Parse(kg, CultureInfo.InvariantCulture));

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

    /// <summary>Enterprises that held it, or to which it is on its way (the visibility policy reads this).</summary>
    public bool Involves(string enterpriseId) => Custodians.Contains(enterpriseId) || OpenManifest?.To == enterpriseId;

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
