using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Batches;

/// <summary>How a batch came out of others.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Process>))]
public enum Process
{
    [JsonStringEnumMemberName("sorting")] Sorting,
    [JsonStringEnumMemberName("dismantling")] Dismantling,
    [JsonStringEnumMemberName("splitting")] Splitting,
    [JsonStringEnumMemberName("merging")] Merging,
    [JsonStringEnumMemberName("recycling")] Recycling,
}

/// <summary>Mass a transformation declares as gone rather than passed on (dried off, residue, dust...).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossKind>))]
public enum LossKind
{
    [JsonStringEnumMemberName("moisture")] Moisture,
    [JsonStringEnumMemberName("residue")] Residue,
    [JsonStringEnumMemberName("dust")] Dust,
    [JsonStringEnumMemberName("process")] Process,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>One new batch a transformation produced, as the parent's event lists it.</summary>
public sealed record Output(Guid BatchId, string Category, Mass MassKg, int? Units, UnitIdentifier? Identifier);

public sealed record Loss(LossKind Kind, Mass MassKg, string Reason);

/// <summary>How much of a child's mass came from one parent.</summary>
public sealed record ParentShare(Guid BatchId, Mass MassKg);

/// <summary>A child as its parent remembers it.</summary>
public sealed record ChildRef(Guid BatchId, string Category, Mass MassKg, Process Process);

/// <summary>
/// The first event of a batch that came out of others: its parents with the mass each gave, and the
/// enterprise whose process produced it (its first holder, in that enterprise's city).
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
    Instant OccurredAt) : IBatchFact
{
    string IBatchFact.ActedBy => Producer;
}

public sealed partial record Batch
{
    /// <summary>How the batch came to be: null for a generated batch.</summary>
    public Process? Origin { get; init; }

    public IReadOnlyList<ParentShare> Parents { get; init; } = [];

    public IReadOnlyList<ChildRef> Children { get; init; } = [];

    /// <summary>Mass declared lost in its transformations and fates.</summary>
    public Mass LossesKg { get; init; }

    public static Batch Create(BatchDerived e) => new(
        e.BatchId, e.Category, e.MassKg, e.Units, e.Identifier, e.Producer, e.City, e.Producer,
        BatchStatus.Derived, null, false, e.OccurredAt, e.OccurredAt, null, [e.Producer], [e.City], e.OccurredAt)
    {
        RemainingKg = e.MassKg,
        Origin = e.Process,
        Parents = e.Parents,
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
}
