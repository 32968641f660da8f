using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Compliance;
using Wolverine;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>Sort or dismantle a batch: its remaining mass becomes new batches plus declared losses.</summary>
public sealed record TransformBatch(
    Guid BatchId, Process Process, string By, IReadOnlyList<Output> Outputs, IReadOnlyList<Loss> Losses, Instant OccurredAt,
    long? ExpectedVersion, IdempotencyKey? Idempotency);

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
            : (new TransformBatch(batchId, process, by, valid, lost, occurredAt!.Value, expectedVersion, null), null);
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
        if (actor.Licences.Require(sorting ? Activity.Sort : Activity.Dismantle, category, command.OccurredAt, options.Licensing) is { } unlicensed)
            return unlicensed;
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        if (OutputRequests.RefuseHeld(command.Outputs, field, held) is { } taken) return taken;
        if (MassBalance.Check(batch.RemainingKg, command.Outputs.Select(o => o.MassKg), command.Losses, options.MassBalanceTolerancePercent, field) is { } unbalanced)
            return unbalanced;

        object parentEvent = sorting
            ? new BatchSorted(batch.Id, command.By, actor.City, batch.RemainingKg, command.Outputs, command.Losses, command.OccurredAt)
            : new BatchDismantled(batch.Id, command.By, actor.City, batch.RemainingKg, command.Outputs, command.Losses, command.OccurredAt);
        return Decision.Of(parentEvent).Starting(OutputRequests.Children(command.Process, command.Outputs, batch.Id, actor.Id, actor.City, command.OccurredAt));
    }
}

public static class TransformBatchHandler
{
    public static async Task<WriteOutcome> Handle(
        TransformBatch command, IDocumentSession session, IMessageContext bus, Categories categories, IClock clock, IOptions<TraceabilityOptions> options,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (actor, refusal) = await BatchActor.LoadAsync(session, command.By, ct);
        if (actor is null) return refusal!;
        var held = await HeldIdentifiers.LoadAsync(session, command.Outputs.Select(o => o.Identifier).OfType<UnitIdentifier>(), ct);
        var now = clock.GetCurrentInstant();
        return await BatchStream.WriteAsync(session, command.Idempotency, command.BatchId, command.By, command.ExpectedVersion, now, json.Value.SerializerOptions,
            batch => TransformBatchDecision.Decide(batch, command, actor, categories, held, now, options.Value),
            (batch, decision) => WriteOutcome.Created(
                new BatchTransformedResponse(batch.Id, command.Process, ChildView.Of(decision.Children),
                    new Mass(command.Losses.Sum(l => l.MassKg.Kilograms)), batch.Version + decision.Events.Count),
                $"/api/batches/{decision.Children[0].BatchId}"),
            ct, held, after: (batch, decision) => ComplianceWatch.AfterAsync(session, bus, batch, decision, actor, categories, now, options.Value, ct));
    }
}
