using NodaTime;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;

namespace Traceability.Batches;

/// <summary>Sort or dismantle a batch: its remaining mass becomes new batches plus declared losses.</summary>
public sealed record TransformBatch(
    Guid BatchId, Process Process, string By, IReadOnlyList<Output> Outputs, IReadOnlyList<Loss> Losses, Instant OccurredAt,
    long? ExpectedVersion) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];
    public IEnumerable<UnitIdentifier> Claims => Outputs.Select(o => o.Identifier).OfType<UnitIdentifier>();

    public Decision Decide(BatchContext c) => TransformBatchDecision.Decide(c.Batch, this, c.Actor, c.Categories, c.Held, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision) => WriteOutcome.Created(
        new BatchTransformedResponse(BatchId, Process, ChildView.Of(decision.Children), new Mass(Losses.Sum(l => l.MassKg.Kilograms)), c.VersionAfter(decision)),
        $"/api/batches/{decision.Children[0].BatchId}");
}

/// <summary>A child as a write response names it.</summary>
public sealed record ChildView(Guid BatchId, string Category, Mass MassKg, int? Units, UnitIdentifier? Identifier)
{
    public static IReadOnlyList<ChildView> Of(IEnumerable<BatchDerived> children) =>
        [.. children.Select(c => new ChildView(c.BatchId, c.Category, c.MassKg, c.Units, c.Identifier))];
}

public sealed record BatchTransformedResponse(Guid BatchId, Process Process, IReadOnlyList<ChildView> Children, Mass LossesKg, long Version);

public static class TransformBatchDecision
{
    public static string FieldOf(Process process) => process == Process.Sorting ? "fractions" : "outputs";

    /// <summary>The field rules of a sorting or dismantling request; its outputs are named after <see cref="FieldOf"/>.</summary>
    public static (TransformBatch? Command, Refusal? Refusal) Validate(
        Guid batchId, Process process, IReadOnlyList<OutputRequest>? outputs, IReadOnlyList<LossRequest>? losses, Instant? occurredAt,
        string by, long? expectedVersion, Categories categories)
    {
        var errors = new FieldErrors().Require(occurredAt, "occurredAt");
        var valid = OutputRequests.Validate(outputs, FieldOf(process), categories, errors);
        var lost = OutputRequests.ValidateLosses(losses, errors);
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new TransformBatch(batchId, process, by, valid, lost, occurredAt!.Value, expectedVersion), null);
    }

    /// <summary>
    /// Sorting divides a bulk batch into fractions of other categories; dismantling takes identified or
    /// dismantlable units apart. Either way the holder needs the licence for it, no output may carry an
    /// identifier a live batch holds, and outputs plus losses must balance the remaining mass.
    /// </summary>
    public static Decision Decide(
        Batch batch, TransformBatch command, BatchActor actor, Categories categories, HeldIdentifiers held, Instant now, TraceabilityOptions options)
    {
        var sorting = command.Process == Process.Sorting;
        var field = FieldOf(command.Process);
        if (batch.RefuseUnlessHeldBy(command.By, sorting ? "sort" : "dismantle") is { } notHeld) return notHeld;
        var category = categories.Find(batch.Category)!;
        if (sorting && category.IdentifierKind != IdentifierKind.None)
            return Refusal.Conflict($"A {category.Code} batch is made of identified units: dismantle it, do not sort it.");
        if (!sorting && !category.Dismantlable)
            return Refusal.Conflict($"Category {category.Code} is not taken apart into components (seeds/categories.json: dismantlable false); sort it instead.");
        if (sorting && OutputRequests.IndexOfCategory(command.Outputs, batch.Category) is { } same)
            return Refusal.Invalid($"fractions[{same}].category", $"a fraction is of another category than the batch ({batch.Category}); to divide a batch into parts of its own category, split it");
        var permit = actor.Licences.Permit(sorting ? Operation.Sort : Operation.Dismantle, category, batch.WasteCode, batch.RemainingKg.Kilograms, command.OccurredAt, options.Licensing);
        if (permit.Refusal is { } unlicensed) return unlicensed;
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        if (OutputRequests.RefuseHeld(command.Outputs, field, held) is { } taken) return taken;
        if (MassBalance.Check(batch.RemainingKg, command.Outputs.Select(o => o.MassKg), command.Losses, options.MassBalanceTolerancePercent, field) is { } unbalanced)
            return unbalanced;

        object parentEvent = sorting
            ? new BatchSorted(batch.Id, command.By, actor.City, batch.RemainingKg, command.Outputs, command.Losses, command.OccurredAt)
            : new BatchDismantled(batch.Id, command.By, actor.City, batch.RemainingKg, command.Outputs, command.Losses, command.OccurredAt);
        return Decision.Of(parentEvent).Starting(OutputRequests.Children(command.Process, command.Outputs, batch, actor.Id, actor.City, command.OccurredAt,
            // A product straight out of sorting or dismantling (recycled aggregate) is the first utilization of its mass.
            o => categories.Find(o.Category)!.IsProduct)).Under(permit);
    }
}
